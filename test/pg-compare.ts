import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { COPIED_TABLES } from '../src/db/postgres/copy.js';

/**
 * Whole-database dumps of both engines, for comparing a SQLite file with its copy on
 * PostgreSQL row by row, every column: each table's rows as objects with sorted keys,
 * in one canonical order.
 */
export type Dump = Record<string, Record<string, unknown>[]>;

/** A client that reads bigints as numbers, as better-sqlite3 returns SQLite's integers. */
export async function connectPg(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'] },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const canonical = (rows: Record<string, unknown>[]) =>
  rows
    .map((row) => Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** SQLite's side; comments carry their implicit rowid, a column on PostgreSQL. */
export function sqliteDump(raw: BetterSqlite3.Database): Dump {
  return Object.fromEntries(
    COPIED_TABLES.map((t) => [t, canonical(raw.prepare(`SELECT ${t === 'comments' ? 'rowid AS rowid, ' : ''}* FROM ${t}`).all() as Record<string, unknown>[])]),
  );
}

/** PostgreSQL's side: every stored column (the generated search vectors are PostgreSQL's own). */
export async function pgDump(client: pg.ClientBase): Promise<Dump> {
  const dump: Dump = {};
  for (const t of COPIED_TABLES) {
    const { rows: columns } = await client.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
      [t],
    );
    dump[t] = canonical((await client.query(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM ${t}`)).rows);
  }
  return dump;
}

/** Rows per table of our tables, and the next value of each identity sequence: what a refused migrate must leave as it was. */
export async function pgState(client: pg.ClientBase): Promise<Record<string, number>> {
  const { rows } = await client.query<{ name: string; n: number }>(
    [
      ...COPIED_TABLES.map((t) => `SELECT '${t}' AS name, count(*)::int AS n FROM ${t}`),
      `SELECT 'sequence ' || sequencename, coalesce(last_value, 0)::int FROM pg_sequences WHERE schemaname = current_schema()`,
    ].join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}
