import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMigrations } from '../src/db/migrate.js';
import { migrate } from '../src/db/sqlite/migrate.js';
import { openSqlite } from '../src/db/sqlite/open.js';
import { BATCH_ROWS, COPIED_TABLES, copySqliteToPostgres } from '../src/db/postgres/copy.js';
import { examinePostgresUrl } from '../src/db/postgres/doctor.js';
import { openPostgres } from '../src/db/postgres/open.js';
import type { Tables } from '../src/db/tables.js';
import { readSchemaSql } from '../src/package-root.js';
import { loadTickets } from '../bench/load.js';
import { CLI, ok, spawnServer, tempDir } from './helpers.js';
import { connectPg, pgDump, pgState, sqliteDump } from './pg-compare.js';
import { createTestDatabase, describePg, type TestDatabase } from './pg.js';
import { insertComment, insertEvent, insertTicket } from './pg-seed.js';

/**
 * `ticket-mcp migrate` through the built bin: a SQLite database written by real sessions
 * (two workspaces, two teams, assignments, internal comments, tags, deletes, idempotency
 * keys, API keys) copied into PostgreSQL, then compared row by row.
 */
const LATEST = parseMigrations(readSchemaSql()).at(-1)!.version;
const { dir, cleanup } = tempDir();
const source = join(dir, 'helpdesk.db');
const PASSWORD = 'not-for-logs-7Q';
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
  cleanup();
});

const bin = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
/** The test server trusts local connections, so a password in the URL is sent nowhere; it must not be printed either. */
const withPassword = (url: string) => Object.assign(new URL(url), { password: PASSWORD }).toString();
const freshDatabase = async () => {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
};
const runMigrate = (from: string, database: TestDatabase) => {
  const run = bin(['migrate', '--from', from, '--to', withPassword(database.url)]);
  expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  return run;
};


/** Sessions as an agent runtime drives them, in the default workspace and a second one. */
async function writeHelpdesk(): Promise<void> {
  const { client } = await spawnServer(['--db', source, '--actor', 'claude@example.com']);
  await ok(client, 'create_agent', { name: 'Priya', email: 'priya@example.com', teams: ['SUP'] });
  await ok(client, 'create_team', { name: 'Engineering', identifier: 'ENG', members: ['Priya'] });
  const keys: string[] = [];
  for (let i = 0; i < 12; i++) {
    const args = {
      title: `Checkout fails #${i}`,
      requestorEmail: `customer${i % 4}@example.com`,
      teamId: i % 3 === 0 ? 'ENG' : 'SUP',
      description: i % 2 ? `Card declined, step ${i}` : undefined,
      ...(i % 4 === 0 && { accountId: 'Acme Corp', typeId: 'Incident', metadata: { plan: 'pro', seats: i } }),
      ...(i % 5 === 0 && { idempotencyKey: `retry-${i}`, chatId: `chat-${i}`, dueDate: '2027-01-15T09:00:00.000Z' }),
    };
    const t = await ok(client, 'create_ticket', args);
    if (args.idempotencyKey) expect((await ok(client, 'create_ticket', args)).id).toBe(t.id);
    keys.push(t.ticketIdentifier);
    await ok(client, 'add_comment', { id: t.id, body: `Customer says: attempt ${i} failed` });
    if (i % 2 === 0) await ok(client, 'add_comment', { id: t.id, body: 'Internal: check the gateway logs', internal: true });
    await ok(client, 'add_tag', { ticketId: t.id, tagId: i % 2 ? 'billing' : 'checkout' });
    if (i % 3 === 1) await ok(client, 'assign_ticket', { id: t.id, assignedAgentId: 'Priya' });
    if (i % 4 === 2) await ok(client, 'takeover', { id: t.id, force: true });
    if (i % 6 === 5) {
      await ok(client, 'takeover', { id: t.id });
      await ok(client, 'set_ticket_status', { id: t.id, status: 'resolved', comment: 'Refunded' });
    }
  }
  await ok(client, 'link_tickets', { id: keys[0], relatedId: keys[3], type: 'blocks' });
  await ok(client, 'create_ticket', { title: 'Checkout fails again', requestorEmail: 'customer0@example.com', followUpOf: keys[5] });
  expect((await ok(client, 'claim_next_ticket', { leaseSeconds: 3600 })).leaseExpiresAt).not.toBeNull();
  await ok(client, 'remove_tag', { ticketId: keys[1], tagId: 'billing' });
  await ok(client, 'delete_ticket', { id: keys[2], confirm: true, reason: 'duplicate' });
  // A move leaves a former key behind, which the copy must carry: the old key still finds the ticket.
  const moved = await ok(client, 'update_ticket', { id: keys[4], teamId: 'ENG' });
  expect((await ok(client, 'get_ticket', { id: keys[4] })).ticketIdentifier).toBe(moved.ticketIdentifier);
  await client.close();

  expect(bin(['workspaces', 'create', 'Globex', '--db', source]).status).toBe(0);
  const globex = await spawnServer(['--db', source, '--workspace', 'Globex', '--actor', 'sam@globex.example']);
  for (let i = 0; i < 3; i++) {
    const t = await ok(globex.client, 'create_ticket', { title: `VPN drops ${i}`, requestorEmail: 'it@globex.example', idempotencyKey: `g-${i}` });
    await ok(globex.client, 'add_comment', { id: t.id, body: 'Seen on the night shift', internal: i === 0 });
    await ok(globex.client, 'add_tag', { ticketId: t.id, tagId: 'network' });
  }
  await globex.client.close();

  const created = bin(['keys', 'create', '--actor', 'priya@example.com', '--db', source]);
  expect(bin(['keys', 'create', '--actor', 'sam@globex.example', '--workspace', 'Globex', '--read-only', '--db', source]).status).toBe(0);
  const id = /Created key (\S+)/.exec(created.stderr)![1]!;
  expect(bin(['keys', 'revoke', id, '--db', source]).status).toBe(0);
}

describePg('ticket-mcp migrate (SQLite → PostgreSQL)', () => {
  let target: TestDatabase;
  let run: ReturnType<typeof bin>;

  beforeAll(async () => {
    await writeHelpdesk();
    target = await freshDatabase();
    run = runMigrate(source, target);
  });

  it('copies every table, row by row and column by column, keeping every id, key, number and seq', async () => {
    expect(run.stderr).toMatch(/^migrate: tickets: 16 rows in \d+\.\d s$/m);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}tickets +16 +16$/m);
    expect(run.stdout).toMatch(/^ {2}api_keys +2 +2$/m);
    expect(run.stdout).toMatch(/All 13 checks passed\./);
    expect(run.stdout).toMatch(/Every count matches and the doctor passes/);

    const raw = new BetterSqlite3(source, { readonly: true });
    const expected = sqliteDump(raw);
    raw.close();
    const client = await connectPg(target.url);
    try {
      const copied = await pgDump(client);
      for (const table of COPIED_TABLES) expect(copied[table], table).toEqual(expected[table]);
      // A realistic source: every kind of row is there to be copied.
      for (const table of COPIED_TABLES) expect(expected[table]!.length, table).toBeGreaterThan(0);
      expect(expected.workspaces).toHaveLength(2);
      expect(expected.comments!.some((c) => c.is_internal === 1)).toBe(true);
      expect(expected.tickets!.some((t) => t.deleted_at !== null)).toBe(true);
      // Every table of PostgreSQL's schema is copied, save its record of migrations and the console's sign-ins.
      const { rows } = await client.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`);
      expect(rows.map((r) => r.t)).toEqual([...COPIED_TABLES, 'console_sessions', 'schema_migrations'].sort());
    } finally {
      await client.end();
    }
  });

  it('refuses to copy into the database again, and changes nothing in it', async () => {
    const client = await connectPg(target.url);
    try {
      const before = { dump: await pgDump(client), state: await pgState(client) };
      const again = runMigrate(source, target);
      expect(again.status).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/already holds ticket-mcp data \(rows in workspaces, .*\); migrate copies only into an empty database, and wrote nothing\./);
      expect(again.stderr).toContain('createdb NAME');
      expect({ dump: await pgDump(client), state: await pgState(client) }).toEqual(before);
    } finally {
      await client.end();
    }
  });

  it('refuses a target that holds rows before writing anything to it, not even a schema upgrade', async () => {
    const database = await freshDatabase();
    const opened = await openPostgres(database.url);
    await opened.pool.query(`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_1', 'default', '2026-01-01T00:00:00.000Z')`);
    // As a database an earlier ticket-mcp left: its last migration not applied yet.
    await opened.pool.query('DELETE FROM schema_migrations WHERE version = $1', [LATEST]);
    await opened.close();
    const refused = runMigrate(source, database);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/already holds ticket-mcp data \(rows in workspaces\); migrate copies only into an empty database, and wrote nothing\./);
    const client = await connectPg(database.url);
    expect((await client.query('SELECT max(version)::int AS v FROM schema_migrations')).rows[0].v).toBe(LATEST - 1);
    await client.end();

    const unreachable = bin(['migrate', '--from', source, '--to', `postgres://ops:${PASSWORD}@127.0.0.1:9/tickets`]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/^ticket-mcp: Cannot use PostgreSQL at postgres:\/\/ops:\*\*\*@127\.0\.0\.1:9\/tickets: .*; migrate wrote nothing\./);
    expect(unreachable.stderr).not.toContain(PASSWORD);
  });

  it('continues every sequence and counter after the copied values', async () => {
    const raw = new BetterSqlite3(source, { readonly: true });
    const one = (sql: string) => raw.prepare(sql).pluck().get() as number;
    const last = {
      ticket: one('SELECT max(seq) FROM tickets'),
      event: one('SELECT max(seq) FROM events'),
      comment: one('SELECT max(rowid) FROM comments'),
      eng: one("SELECT ticket_counter FROM teams WHERE identifier = 'ENG'"),
    };
    raw.close();
    const pool = new pg.Pool({ connectionString: target.url, types: { getTypeParser: ((oid: number, f?: 'text') => (oid === 20 ? Number : pg.types.getTypeParser(oid, f))) as pg.CustomTypesConfig['getTypeParser'] } });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    try {
      const team = await db.selectFrom('teams').selectAll().where('identifier', '=', 'ENG').where('ticket_counter', '>', 0).executeTakeFirstOrThrow();
      const pick = (table: 'agents' | 'contacts' | 'priorities' | 'sentiments') =>
        db.selectFrom(table).select('id').where('workspace_id', '=', team.workspace_id).executeTakeFirstOrThrow().then((r) => r.id);
      const ws = { id: team.workspace_id, team: team.id, agent: await pick('agents'), contact: await pick('contacts'), priority: await pick('priorities'), sentiment: await pick('sentiments') };
      const ticket = await insertTicket(db, ws, { title: 'After the move' });
      const row = await db.selectFrom('tickets').select(['seq', 'number']).where('id', '=', ticket).executeTakeFirstOrThrow();
      expect(row).toEqual({ seq: last.ticket + 1, number: last.eng + 1 });
      expect(await insertEvent(db, ws, ticket)).toBe(last.event + 1);
      await insertComment(db, ws, ticket, 'first words on PostgreSQL');
      const comment = await db.selectFrom('comments').select(sql<number>`rowid`.as('rowid')).where('ticket_id', '=', ticket).executeTakeFirstOrThrow();
      expect(Number(comment.rowid)).toBe(last.comment + 1);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a file that is not a current ticket-mcp database, touching neither side', async () => {
    const pristine = await freshDatabase();
    const foreign = join(dir, 'notes.db');
    const notes = new BetterSqlite3(foreign);
    notes.exec('CREATE TABLE notes (body TEXT)');
    notes.close();
    const old = join(dir, 'old.db');
    const earlier = new BetterSqlite3(old);
    migrate(earlier, parseMigrations(readSchemaSql()).slice(0, 3));
    earlier.close();
    const text = join(dir, 'readme.db');
    writeFileSync(text, 'not a database at all, but long enough to be read as a header by SQLite\n'.repeat(20));
    const empty = join(dir, 'empty.db');
    new BetterSqlite3(empty).close();

    const cases: [string, RegExp][] = [
      [foreign, /notes\.db is another application’s SQLite database, not ticket-mcp’s; migrate wrote nothing\./],
      [old, new RegExp(String.raw`old\.db is at schema version 3; this ticket-mcp copies version ${LATEST}; migrate wrote nothing\.\nOpen it once with this ticket-mcp to upgrade it \(for example: ticket-mcp workspaces list --db .*old\.db\), then run migrate again\.`)],
      [text, /readme\.db is not an SQLite database; migrate wrote nothing\./],
      [empty, /empty\.db holds no ticket-mcp data/],
    ];
    for (const [file, message] of cases) {
      const refused = runMigrate(file, pristine);
      expect(refused.status, file).toBe(1);
      expect(refused.stderr).toMatch(message);
    }
    const oldAfter = new BetterSqlite3(old, { readonly: true });
    expect(oldAfter.pragma('user_version', { simple: true })).toBe(3);
    oldAfter.close();
    const client = await connectPg(pristine.url);
    expect((await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`)).rows[0].n).toBe(0);
    await client.end();

    const usage = [bin(['migrate', '--from', source]), bin(['migrate', '--from', source, '--to', join(dir, 'other.db')])];
    expect(usage.map((u) => u.status)).toEqual([2, 2]);
    expect(usage[1]!.stderr).toContain('--to takes a postgres:// or postgresql:// URL');
  });

  it('writes nothing when PostgreSQL refuses one row: the copy is one transaction', async () => {
    const damaged = join(dir, 'damaged.db');
    copyFileSync(source, damaged);
    const raw = new BetterSqlite3(damaged);
    // PostgreSQL text cannot hold U+0000; SQLite's can. The last comment is copied after most tables.
    raw.exec("UPDATE comments SET body = 'before' || char(0) || 'after' WHERE rowid = (SELECT max(rowid) FROM comments)");
    raw.close();
    const database = await freshDatabase();
    const failed = runMigrate(damaged, database);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/PostgreSQL refused a row of comments \(up to SQLite rowid \d+\): .*Nothing was written: the copy is one transaction\./);
    const client = await connectPg(database.url);
    try {
      expect(Object.values(await pgState(client)).every((n) => n === 0)).toBe(true);
    } finally {
      await client.end();
    }
    expect(runMigrate(source, database).status).toBe(0);
  });
});

describePg('ticket-mcp migrate: bounded batches', () => {
  it('reads and writes a larger database a batch at a time, cut by rows or by characters, and copies it exactly', async () => {
    const path = join(dir, 'large.db');
    await loadTickets(path, 1_000);
    const raw = new BetterSqlite3(path);
    // 200 descriptions of 25,000 characters: 5 M, past what one batch carries (BATCH_CHARS, 4 M).
    raw.exec("UPDATE tickets SET description = replace(hex(zeroblob(5000)), '00', 'word ') WHERE seq <= 200");
    const expected = sqliteDump(raw);
    raw.close();

    const database = await freshDatabase();
    const target = await openPostgres(database.url);
    const inserts: { table: string; rows: number }[] = [];
    const client = await target.pool.connect();
    // The real client, with each INSERT's row count noted on the way.
    const watched = new Proxy(client, {
      get(real, property) {
        if (property !== 'query') return Reflect.get(real, property, real);
        return (text: string, values?: unknown[][]) => {
          const table = /^INSERT INTO "(\w+)"/.exec(text)?.[1];
          if (table) inserts.push({ table, rows: values![0]!.length });
          return real.query(text, values);
        };
      },
    });
    const source = openSqlite(path, { readonly: true });
    try {
      const counts = await copySqliteToPostgres(source, watched, { target: 'test' });
      expect(counts.events).toBeGreaterThan(5 * BATCH_ROWS);
      const batches = (table: string) => inserts.filter((i) => i.table === table).map((i) => i.rows);
      expect(Math.max(...inserts.map((i) => i.rows))).toBeLessThanOrEqual(BATCH_ROWS);
      expect(batches('events')).toHaveLength(Math.ceil(counts.events / BATCH_ROWS));
      // Cut by characters: 4 M of them hold at most 160 long descriptions (the other columns take a little room too).
      expect(batches('tickets')[0]).toBeGreaterThan(150);
      expect(batches('tickets')[0]).toBeLessThanOrEqual(160);
      for (const table of COPIED_TABLES) expect(batches(table).reduce((a, b) => a + b, 0), table).toBe(counts[table]);
    } finally {
      source.close();
      client.release();
    }
    const reader = await connectPg(database.url);
    try {
      const copied = await pgDump(reader);
      for (const table of COPIED_TABLES) expect(copied[table], table).toEqual(expected[table]);
    } finally {
      await reader.end();
      await target.close();
    }
    expect((await examinePostgresUrl(database.url)).findings.filter((f) => !f.ok)).toEqual([]);
  });
});
