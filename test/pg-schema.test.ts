import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open.js';
import { migratePostgres } from '../src/db/postgres/migrate.js';
import { openPostgres, type OpenPostgres } from '../src/db/postgres/open.js';
import { postgresMigrations } from '../src/db/postgres/schema.js';
import { pgTicketSearch } from '../src/db/postgres/search.js';
import { tempDir } from './helpers.js';
import { createTestDatabase, describePg, type TestDatabase } from './pg.js';
import { kyselyShape, postgresKeys, postgresShape, sqliteKeys, sqliteShape, type SchemaShape } from './schema-shape.js';

const LATEST = postgresMigrations.at(-1)!.version;
/** Tables one engine has and the other does not: SQLite's FTS5 index (PostgreSQL searches tsvector columns), PostgreSQL's record of applied migrations (SQLite's user_version). */
const SQLITE_ONLY = ['ticket_search'];
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
    await expect(openPostgres(database.url)).rejects.toThrow(/schema version 4, newer than this ticket-mcp knows \(3\)/);
    await opened.pool.query(`DELETE FROM schema_migrations WHERE version = ${LATEST + 1}`);

    const scratch = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: scratch.url });
    const broken = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x integer);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y integer); SELECT 1/0;' },
    ];
    await expect(migratePostgres(pool, broken)).rejects.toThrow(/division by zero/);
    const { rows } = await pool.query(`SELECT to_regclass('a') AS a, to_regclass('schema_migrations') AS m`);
    expect(rows).toEqual([{ a: null, m: null }]);
    await pool.end();
    await scratch.drop();
  });

  it('five processes starting together on a new database all succeed, with one schema', async () => {
    const fresh = await createTestDatabase();
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
    await fresh.drop();
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
});
