import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../src/db/sqlite/open.js';
import { migratePostgres } from '../src/db/postgres/migrate.js';
import { openPostgres, type OpenPostgres } from '../src/db/postgres/open.js';
import { postgresMigrations } from '../src/db/postgres/schema.js';
import { tempDir } from './helpers.js';
import { createTestDatabase, describePg, type TestDatabase } from './pg.js';
import { insertComment, insertEvent, insertTicket, seedWorkspace } from './pg-seed.js';
import { kyselyShape, postgresKeys, postgresShape, sqliteKeys, sqliteShape, type SchemaShape } from './schema-shape.js';

const LATEST = postgresMigrations.at(-1)!.version;
/**
 * Tables one engine has and the other does not: SQLite's FTS5 indexes and the workspace
 * ranges that scope them (PostgreSQL searches tsvector columns), PostgreSQL's record of
 * applied migrations (SQLite's user_version).
 */
const SQLITE_ONLY = ['ticket_search', 'comment_search', 'search_scopes'];
const POSTGRES_ONLY = ['schema_migrations'];

const without = (shape: SchemaShape, tables: string[]) => Object.fromEntries(Object.entries(shape).filter(([t]) => !tables.includes(t)));

/** The catalog objects a migration creates, to compare before and after a second start. */
const catalog = (pool: pg.Pool) =>
  pool
    .query(
      `SELECT c.relkind::text AS kind, c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
       UNION ALL SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal
       UNION ALL SELECT 'function', proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
       UNION ALL SELECT 'migration', version || ' ' || name || ' ' || applied_at FROM schema_migrations
       ORDER BY 1, 2`,
    )
    .then((r) => r.rows);

describePg('PostgreSQL schema', () => {
  let database: TestDatabase;
  let opened: OpenPostgres;

  beforeAll(async () => {
    database = await createTestDatabase();
    opened = await openPostgres(database.url);
  });
  afterAll(async () => {
    await opened?.close();
    await database?.drop();
  });

  it('applies every migration to an empty database, and a second start changes nothing', async () => {
    expect(opened.schemaVersion).toBe(LATEST);
    const { rows } = await opened.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
    const before = await catalog(opened.pool);
    const again = await openPostgres(database.url);
    expect(again.schemaVersion).toBe(LATEST);
    expect(await catalog(again.pool)).toEqual(before);
    await again.close();
  });

  it('refuses a database newer than this ticket-mcp, and rolls back a failing migration whole', async () => {
    await opened.pool.query(`INSERT INTO schema_migrations (version, name) VALUES (${LATEST + 1}, 'from the future')`);
    await expect(openPostgres(database.url)).rejects.toThrow(new RegExp(`schema version ${LATEST + 1}, newer than this ticket-mcp knows \\(${LATEST}\\)`));
    await opened.pool.query(`DELETE FROM schema_migrations WHERE version = ${LATEST + 1}`);

    const scratch = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: scratch.url });
    const broken = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x integer);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y integer); SELECT 1/0;' },
    ];
    try {
      await expect(migratePostgres(pool, broken)).rejects.toThrow(/division by zero/);
      const { rows } = await pool.query(`SELECT to_regclass('a') AS a, to_regclass('schema_migrations') AS m`);
      expect(rows).toEqual([{ a: null, m: null }]);
    } finally {
      await pool.end();
      await scratch.drop();
    }
  });

  it('five processes starting together on a new database all succeed, with one schema', async () => {
    const fresh = await createTestDatabase();
    onTestFinished(() => fresh.drop());
    const openJs = fileURLToPath(new URL('../dist/src/db/postgres/open.js', import.meta.url));
    const script = `const { openPostgres } = await import(${JSON.stringify(openJs)});
      const o = await openPostgres(process.argv[1]); console.log(o.schemaVersion); await o.close();`;
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, fresh.url], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (out += d));
        return new Promise<{ code: number | null; out: string }>((resolve) => child.on('close', (code) => resolve({ code, out })));
      }),
    );
    expect(runs).toEqual(Array.from({ length: 5 }, () => ({ code: 0, out: `${LATEST}\n` })));
    const pool = new pg.Pool({ connectionString: fresh.url });
    expect((await pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows).toEqual([{ n: postgresMigrations.length }]);
    await pool.end();
  });

  it('agrees with the Kysely table types, as SQLite does: tables, columns, types, nullability, defaults, CHECKed values', async () => {
    const kysely = kyselyShape();
    expect(without(await postgresShape(opened.pool), POSTGRES_ONLY)).toEqual(without(kysely, SQLITE_ONLY));

    const { dir, cleanup } = tempDir();
    const sqlite = openDatabase(join(dir, 'shape.db'));
    const withoutValues = Object.fromEntries(
      Object.entries(kysely).map(([t, cols]) => [t, Object.fromEntries(Object.entries(cols).map(([c, { values: _, ...col }]) => [c, col]))]),
    );
    expect(sqliteShape(sqlite.raw)).toEqual(withoutValues);

    // The same primary keys, unique constraints, foreign keys and indexes (names, columns, unique, partial).
    const tables = Object.keys(without(kysely, SQLITE_ONLY));
    expect(await postgresKeys(opened.pool, tables)).toEqual(sqliteKeys(sqlite.raw, tables));
    await sqlite.close();
    cleanup();
  });

  it('keeps events append-only: UPDATE, DELETE and TRUNCATE are refused, INSERT works', async () => {
    const ws = await seedWorkspace(opened.db, 'append-only');
    const ticket = await insertTicket(opened.db, ws, { title: 'Audit me' });
    const seq = await insertEvent(opened.db, ws, ticket);
    const refused = { code: '23001', message: 'events are append-only' };
    await expect(opened.pool.query(`UPDATE events SET type = 'deleted' WHERE seq = $1`, [seq])).rejects.toMatchObject(refused);
    await expect(opened.pool.query('DELETE FROM events WHERE seq = $1', [seq])).rejects.toMatchObject(refused);
    await expect(opened.pool.query('TRUNCATE events CASCADE')).rejects.toMatchObject(refused);
    expect(await opened.db.selectFrom('events').select(['seq', 'type']).where('ticket_id', '=', ticket).execute()).toEqual([{ seq, type: 'created' }]);
  });

  it('reads values back as the SQLite engine does: numbers, ISO timestamps as written, JSON as text, flags as 1/0', async () => {
    const ws = await seedWorkspace(opened.db, 'values');
    const ticket = await insertTicket(opened.db, ws, { title: 'Values' });
    const row = await opened.db
      .selectFrom('tickets')
      .select(['seq', 'number', 'version', 'is_private', 'metadata', 'created_at'])
      .where('id', '=', ticket)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ seq: expect.any(Number), number: 1, version: 1, is_private: 0, metadata: '{}', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    const { rows } = await opened.pool.query(
      `SELECT count(*) AS n, sum(number) AS total, bool_and(true) AS yes, json_agg(json_build_object('at', created_at)) AS stamps
       FROM tickets WHERE id = $1`,
      [ticket],
    );
    expect(rows).toEqual([{ n: 1, total: 1, yes: 1, stamps: `[{"at" : "${row.created_at}"}]` }]);
    // Only the service's own format is a timestamp: a date, or another zone, is refused.
    for (const bad of ['2024-01-01', '2024-01-01T00:00:00+02:00', '2024-01-01 00:00:00.000Z']) {
      await expect(opened.db.updateTable('tickets').set({ due_date: bad }).where('id', '=', ticket).execute(), bad).rejects.toMatchObject({ code: '23514' });
    }
    await expect(opened.db.updateTable('tickets').set({ metadata: '{oops' }).where('id', '=', ticket).execute()).rejects.toMatchObject({ code: '22P02' });
    // Comments keep SQLite's rowid, in insertion order, for the service's tie-break.
    await insertComment(opened.db, ws, ticket, 'first');
    await insertComment(opened.db, ws, ticket, 'second');
    const { rows: comments } = await opened.pool.query('SELECT body, rowid FROM comments WHERE ticket_id = $1 ORDER BY created_at, rowid', [ticket]);
    expect(comments).toEqual([{ body: 'first', rowid: expect.any(Number) }, { body: 'second', rowid: comments[0].rowid + 1 }]);
  });

  it('compares NOCASE names without case, as SQLite does, and sorts other text byte by byte on an en-US database too', async () => {
    const enUs = await createTestDatabase({ icuLocale: 'en-US' });
    const other = await openPostgres(enUs.url);
    onTestFinished(async () => {
      await other.close();
      await enUs.drop();
    });
    const ws = await seedWorkspace(other.db, 'CaseTest');
    expect(await other.db.selectFrom('workspaces').select('id').where('name', '=', 'casetest').execute()).toEqual([{ id: ws.id }]);
    await expect(seedWorkspace(other.db, 'CASETEST')).rejects.toMatchObject({ code: '23505', constraint: 'workspaces_name_key' });
    await expect(
      other.db.insertInto('priorities').values({ id: 'pr_dup', workspace_id: ws.id, name: 'MEDIUM', position: 1 }).execute(),
    ).rejects.toMatchObject({ code: '23505' });
    // The database itself sorts "_ a b B é Z"; SQLite's BINARY order is the bytes' order.
    const keys = ['b', 'B', 'a', '_', 'é', 'Z'];
    await other.db
      .insertInto('accounts')
      .values(keys.map((k, i) => ({ id: `ac_${i}`, workspace_id: ws.id, name: k, name_key: k, created_at: new Date().toISOString() })))
      .execute();
    const sorted = await other.db.selectFrom('accounts').select('name_key').where('workspace_id', '=', ws.id).orderBy('name_key').execute();
    expect(sorted.map((r) => r.name_key)).toEqual(['B', 'Z', '_', 'a', 'b', 'é']);
  });
});
