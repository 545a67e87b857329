import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../src/db/sqlite/open.js';
import { copySqliteToPostgres } from '../src/db/postgres/copy.js';
import { examinePostgres } from '../src/db/postgres/doctor.js';
import { openPostgres } from '../src/db/postgres/open.js';
import { postgresMigrations } from '../src/db/postgres/schema.js';
import { CLI, seedHealthyHelpdesk, tempDir } from './helpers.js';
import { createTestDatabase, describePg, type TestDatabase } from './pg.js';

/**
 * `ticket-mcp doctor` on PostgreSQL: it passes a database the service wrote (on SQLite,
 * then migrated), and names each invariant a tampered copy breaks. Each tampering runs in
 * a transaction that is rolled back; events are append-only here too, so faults in the
 * history are made by appending events, or by changing the other side.
 */
const { dir, cleanup } = tempDir();
afterAll(cleanup);
const bin = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const NOW = '2026-06-01T12:00:00.000Z';

/** The tampering for each check; a few of the history checks are broken from the events side. */
const cases: [string, string, string][] = [
  ['status', "UPDATE tickets SET status = 'closed' WHERE number = 1", 'status against history'],
  ['status event', "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) SELECT workspace_id, id, 'status_changed', created_by, version, '{\"from\":\"open\",\"to\":\"closed\"}', updated_at FROM tickets WHERE number = 4", 'status against history'],
  ['assignee', 'UPDATE tickets SET assignee_id = NULL WHERE number = 1', 'assignee against history'],
  ['assignment event', "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) SELECT workspace_id, id, 'assignment_changed', created_by, version, '{\"from\":null,\"to\":null}', updated_at FROM tickets WHERE number = 1", 'assignee against history'],
  ['version', 'UPDATE tickets SET version = version + 1 WHERE number = 3', 'versions and events'],
  ['comment', 'DELETE FROM comments WHERE rowid = 1', 'comments against history'],
  ['comment event', "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) SELECT workspace_id, id, 'comment_added', created_by, version, '{}', updated_at FROM tickets WHERE number = 3", 'comments against history'],
  ['tag', 'DELETE FROM ticket_tags WHERE ctid = (SELECT min(ctid) FROM ticket_tags)', 'tags against history'],
  ['tag event', "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) SELECT tt.workspace_id, tt.ticket_id, 'tag_removed', tt.created_by, 1, json_build_object('tagId', tt.tag_id)::text, tt.created_at FROM ticket_tags tt LIMIT 1", 'tags against history'],
  ['numbering', 'UPDATE teams SET ticket_counter = ticket_counter + 1', 'team numbering'],
  ['deleted', 'UPDATE tickets SET deleted_at = NULL WHERE number = 2', 'deletion against history'],
  ['restored', "UPDATE tickets SET deleted_at = '2026-01-01T00:00:00.000Z' WHERE number = 4", 'deletion against history'],
  ['former key', 'DELETE FROM former_ticket_keys', 'team numbering'],
  ['deleted event', "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) SELECT workspace_id, id, 'deleted', created_by, version, '{}', updated_at FROM tickets WHERE number = 5", 'deletion against history'],
  ['creation event', "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) SELECT workspace_id, ticket_id, type, actor_id, 1, data, created_at FROM events WHERE type = 'created' ORDER BY seq LIMIT 1", 'creation'],
  [
    'workspace',
    `INSERT INTO workspaces (id, name, created_at) VALUES ('ws_other', 'other', '${NOW}');
     INSERT INTO agents (id, workspace_id, name, name_key, email, email_key, kind, created_at, updated_at)
       VALUES ('ag_other', 'ws_other', 'Stranger', 'stranger', 's@x.co', 's@x.co', 'human', '${NOW}', '${NOW}');
     UPDATE comments SET author_id = 'ag_other' WHERE rowid = 1`,
    'workspaces',
  ],
  [
    'event actor',
    `INSERT INTO workspaces (id, name, created_at) VALUES ('ws_other', 'other', '${NOW}');
     INSERT INTO agents (id, workspace_id, name, name_key, email, email_key, kind, created_at, updated_at)
       VALUES ('ag_other', 'ws_other', 'Stranger', 'stranger', 's@x.co', 's@x.co', 'human', '${NOW}', '${NOW}');
     INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at)
       SELECT workspace_id, id, 'metadata_updated', 'ag_other', version, '{}', updated_at FROM tickets WHERE number = 4`,
    'workspaces',
  ],
  // PostgreSQL checks every foreign key, unless a superuser's session turns them off.
  ['reference', "SET LOCAL session_replication_role = replica; UPDATE tickets SET contact_id = 'ct_gone' WHERE number = 1", 'foreign keys'],
  ['disabled trigger', 'ALTER TABLE events DISABLE TRIGGER events_are_append_only', 'integrity'],
  ['invalid index', "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'tickets_by_team'::regclass", 'integrity'],
  ['schema version', "INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')", 'schema version'],
  ['search vector', 'ALTER TABLE comments DROP COLUMN search_vector', 'full-text index'],
];

describePg('ticket-mcp doctor on PostgreSQL', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    const source = join(dir, 'healthy.db');
    await seedHealthyHelpdesk(source);

    database = await createTestDatabase();
    const target = await openPostgres(database.url);
    const raw = openSqlite(source, { readonly: true });
    const copying = await target.pool.connect();
    try {
      await copySqliteToPostgres(raw, copying, { target: database.name });
    } finally {
      copying.release();
      raw.close();
      await target.close();
    }
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('passes a database the service wrote, from the command line too', async () => {
    expect((await examinePostgres(client)).filter((f) => !f.ok)).toEqual([]);
    const run = bin(['doctor', '--db', database.url]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(6 tickets\)/);
    expect(run.stdout).toMatch(/ok {4}full-text index: every ticket's and comment's search vector is generated from its text/);
    expect(run.stdout).toMatch(/All 13 checks passed\./);
  });

  for (const [name, tampering, check] of cases) {
    it(`finds a ${name} changed behind the service's back, and only that`, async () => {
      await client.query('BEGIN');
      try {
        await client.query(tampering);
        const failed = (await examinePostgres(client)).filter((f) => !f.ok);
        expect(failed.map((f) => f.check)).toEqual([check]);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  it('exits 1 and names the failure, in text and as JSON, and reads without writing', async () => {
    const { rows } = await client.query("SELECT status FROM tickets WHERE number = 3");
    await client.query("UPDATE tickets SET status = 'resolved' WHERE number = 3");
    try {
      const text = bin(['doctor', '--db', database.url]);
      expect(text.status).toBe(1);
      expect(text.stdout).toMatch(/FAIL {2}status against history: SUP-3 \(status resolved, history says pending\)/);
      expect(text.stdout).toMatch(/1 of 13 checks failed\./);
      const json = bin(['doctor', '--db', database.url, '--json']);
      expect(json.status).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, findings: expect.arrayContaining([expect.objectContaining({ check: 'status against history', ok: false })]) });
    } finally {
      await client.query('UPDATE tickets SET status = $1 WHERE number = 3', [rows[0].status]);
    }
    const empty = await createTestDatabase();
    try {
      const run = bin(['doctor', '--db', empty.url]);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(`FAIL  schema version: 0 (this ticket-mcp knows ${postgresMigrations.at(-1)!.version})`);
      const probe = new pg.Client({ connectionString: empty.url });
      await probe.connect();
      expect((await probe.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`)).rows[0].n).toBe(0);
      await probe.end();
    } finally {
      await empty.drop();
    }
  });
});

describe('doctor and backup on a PostgreSQL URL, without a server', () => {
  const url = 'postgres://ops:hunter2-secret@127.0.0.1:9/tickets';

  it('doctor answers that it cannot connect, naming the server without its password', () => {
    const run = bin(['doctor', '--db', url]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^ticket-mcp: Cannot connect to PostgreSQL at postgres:\/\/ops:\*\*\*@127\.0\.0\.1:9\/tickets: /);
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });

  it('backup says to use pg_dump, with the command, and exits 1 having written nothing', () => {
    const run = bin(['backup', join(dir, 'tickets.dump'), '--db', url]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("back it up with PostgreSQL's pg_dump. Nothing was written.");
    expect(run.stderr).toContain(`Run: pg_dump --format=custom --file ${join(dir, 'tickets.dump')} 'postgres://ops:***@127.0.0.1:9/tickets'`);
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });
});
