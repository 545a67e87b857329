import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTableTypes, tablesFile } from '../scripts/gen-db-types.js';
import { parseMigrations } from '../src/db/migrate.js';
import { migrate } from '../src/db/sqlite/migrate.js';
import { openDatabase } from '../src/db/sqlite/open.js';
import { readSchemaSql } from '../src/package-root.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('schema.sql', () => {
  it('agrees with the Kysely table types (run `npm run gen:types` after changing it)', () => {
    expect(readFileSync(tablesFile, 'utf8')).toBe(generateTableTypes(readSchemaSql()));
  });

  it('generates types from columns: nullability, defaults, rowids and CHECK-ed values', () => {
    const types = generateTableTypes(readSchemaSql());
    expect(types).toContain('export interface TicketsTable {\n  seq: Generated<number>;\n  id: string;');
    expect(types).toContain('  description: string | null;');
    expect(types).toContain("  kind: 'human' | 'ai';");
    expect(types).toContain("  circumstance: 'handover' | 'takeover' | null;");
    expect(types).toContain('  version: Generated<number>;');
    expect(types).not.toContain('TicketSearchData');
  });

  it('opens a file with WAL, foreign keys and a busy timeout, at the newest migration', async () => {
    const path = join(dir, 'pragmas.db');
    const opened = openDatabase(path);
    expect(opened.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(opened.raw.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(opened.raw.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(opened.schemaVersion).toBe(parseMigrations(readSchemaSql()).at(-1)!.version);
    await opened.close();
  });

  it('applies migrations once: reopening changes nothing', async () => {
    const path = join(dir, 'twice.db');
    const first = openDatabase(path);
    const objects = () => first.raw.prepare('SELECT type, name FROM sqlite_schema ORDER BY name').all();
    const before = objects();
    await first.close();
    const again = openDatabase(path);
    expect(again.raw.prepare('SELECT type, name FROM sqlite_schema ORDER BY name').all()).toEqual(before);
    await again.close();
  });

  it('runs only the migrations a database lacks, and refuses a newer database', () => {
    const raw = new BetterSqlite3(':memory:');
    const migrations = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
      { version: 2, name: 'two', sql: 'CREATE TABLE b (y INTEGER) STRICT;' },
    ];
    expect(migrate(raw, migrations.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(migrate(raw, migrations)).toEqual({ from: 1, to: 2 });
    expect(migrate(raw, migrations)).toEqual({ from: 2, to: 2 });
    expect(() => migrate(raw, migrations.slice(0, 1))).toThrow(/newer than this ticket-mcp/);
    raw.close();
  });

  it('upgrades a database written at migration 4: every event kept as it was, still append-only, new types allowed', () => {
    const raw = new BetterSqlite3(':memory:');
    const migrations = parseMigrations(readSchemaSql());
    migrate(raw, migrations.slice(0, 4));
    // Only the events table is rebuilt; its parents need not exist for this check.
    raw.pragma('foreign_keys = OFF');
    const insert = raw.prepare(
      "INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) VALUES ('ws', ?, ?, 'agent', ?, ?, '2026-01-01T00:00:00.000Z')",
    );
    insert.run('t1', 'created', 1, '{}');
    insert.run('t1', 'status_changed', 2, '{"from":"open","to":"pending"}');
    insert.run('t2', 'deleted', 3, '{"reason":"spam"}');
    const before = raw.prepare('SELECT * FROM events ORDER BY seq').all();
    expect(() => insert.run('t1', 'restored', 4, '{}')).toThrow(/CHECK constraint failed/);

    migrate(raw, migrations.slice(0, 5));
    expect(raw.prepare('SELECT * FROM events ORDER BY seq').all()).toEqual(before);
    insert.run('t2', 'restored', 4, '{}');
    expect(() => raw.exec("UPDATE events SET type = 'created' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM events WHERE seq = 1')).toThrow(/append-only/);
    const indexes = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['events_by_ticket', 'events_by_workspace']);
    raw.close();
  });

  it('rolls back a failing migration whole', () => {
    const raw = new BetterSqlite3(':memory:');
    const broken = [{ version: 1, name: 'broken', sql: 'CREATE TABLE ok (x INTEGER); CREATE TABLE ok (x INTEGER);' }];
    expect(() => migrate(raw, broken)).toThrow(/already exists/);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(raw.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'ok'").get()).toEqual({ n: 0 });
    raw.close();
  });

  it('numbers migrations 1, 2, 3 with no gaps', () => {
    expect(parseMigrations('-- migration 1: a\nSELECT 1;\n-- migration 2: b\nSELECT 2;').map((m) => [m.version, m.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(() => parseMigrations('-- migration 1: a\n-- migration 3: c\n')).toThrow(/migration 3 found where 2/);
  });

  it('has an index for every list filter', () => {
    const raw = new BetterSqlite3(':memory:');
    migrate(raw, parseMigrations(readSchemaSql()));
    const indexed = (raw.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL").all() as { sql: string }[])
      .map((r) => r.sql.replace(/^.*\(/, '').replace(/\).*$/s, '').split(',')[0]!.trim());
    for (const column of ['workspace_id', 'assignee_id', 'team_id', 'priority_id', 'contact_id']) {
      expect(indexed, column).toContain(column);
    }
    const tagIndex = raw.prepare("SELECT sql FROM sqlite_schema WHERE name = 'ticket_tags_by_tag'").get() as { sql: string };
    expect(tagIndex.sql).toContain('tag_id');
    raw.close();
  });
});
