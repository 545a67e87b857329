import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { DomainError, unavailable } from '../../errors.js';
import { isLostConnection } from './retry.js';

/**
 * `ticket-mcp migrate`'s copy: a whole SQLite database into an empty PostgreSQL one, in
 * one transaction on each side (a consistent snapshot read, one commit written), keeping
 * every id, key, number, counter and seq.
 */

/**
 * Every table both engines keep, parents before children (foreign keys are checked at each
 * insert). SQLite's search tables (ticket_search, comment_search, search_scopes) are not
 * copied: PostgreSQL generates its tsvector columns from the copied text. Nor are the
 * console's sessions: people sign in again on the new server.
 */
export const COPIED_TABLES = [
  'workspaces',
  'statuses',
  'status_transitions',
  'priorities',
  'sentiments',
  'ticket_types',
  'teams',
  'agents',
  'team_members',
  'contacts',
  'accounts',
  'tickets',
  'tags',
  'ticket_tags',
  'comments',
  'events',
  'idempotency_keys',
  'api_keys',
  'ticket_links',
  'former_ticket_keys',
] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];
export type TableCounts = Record<CopiedTable, number>;

/**
 * One INSERT carries at most this many rows, or about this many characters (whichever
 * comes first): memory stays bounded whatever the database holds, since rows are read a
 * batch at a time (keyset on rowid), never all at once.
 */
export const BATCH_ROWS = 1_000;
export const BATCH_CHARS = 4_000_000;

export type Progress = (table: CopiedTable, copied: number, total: number) => void;

interface Column {
  name: string;
  /** The base type (a domain shows as the type it is built on), for the unnest arrays. */
  type: string;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The stored columns of a target table; generated ones (search vectors) are PostgreSQL's to compute. */
async function targetColumns(client: pg.ClientBase, table: string): Promise<Column[]> {
  const { rows } = await client.query<Column>(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
     ORDER BY ordinal_position`,
    [table],
  );
  return rows;
}

/**
 * The columns to copy, checked against the source: both sides at the same schema version
 * have the same ones, but a column dropped on the way would be data lost, so a difference
 * stops the copy. `rowid` is SQLite's implicit one, a column on PostgreSQL (comments).
 */
function matchColumns(source: BetterSqlite3.Database, table: string, target: Column[]): Column[] {
  const sourceNames = (source.pragma(`table_info(${quote(table)})`) as { name: string }[]).map((c) => c.name);
  const targetNames = target.map((c) => c.name);
  const missing = sourceNames.filter((n) => !targetNames.includes(n));
  const extra = targetNames.filter((n) => !sourceNames.includes(n) && n !== 'rowid');
  if (missing.length > 0 || extra.length > 0) {
    throw unavailable(`The ${table} table differs between the engines (only in SQLite: ${missing.join(', ') || 'none'}; only in PostgreSQL: ${extra.join(', ') || 'none'}); nothing was written.`, {
      hint: 'This ticket-mcp cannot migrate this database: report it as a bug, with both schema versions.',
    });
  }
  return target;
}

/** The tables of ours that hold a row; none in a database not set up yet. A migration writes only into an empty database. */
export async function tablesWithRows(client: pg.ClientBase): Promise<CopiedTable[]> {
  const { rows: present } = await client.query<{ name: CopiedTable }>(
    `SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS t (name, n) WHERE to_regclass(quote_ident(name)) IS NOT NULL ORDER BY n`,
    [COPIED_TABLES],
  );
  if (present.length === 0) return [];
  const probes = present.map(({ name }) => `SELECT ${client.escapeLiteral(name)} AS name WHERE EXISTS (SELECT 1 FROM ${quote(name)})`);
  const { rows } = await client.query<{ name: CopiedTable }>(probes.join(' UNION ALL '));
  return rows.map((r) => r.name);
}

/** The refusal of a target that holds rows of ours: migrate never merges. */
export function targetNotEmpty(target: string, occupied: CopiedTable[]): DomainError {
  return unavailable(`${target} already holds ticket-mcp data (rows in ${occupied.join(', ')}); migrate copies only into an empty database, and wrote nothing.`, {
    hint: 'Create a new database (createdb NAME) and migrate into it before any ticket-mcp starts on it; or drop this one if its data is not needed.',
    details: { reason: 'target_not_empty', tables: occupied },
  });
}

const countRows = (source: BetterSqlite3.Database, table: string) =>
  source.prepare(`SELECT count(*) FROM ${quote(table)}`).pluck().get() as number;

/** One batch read from SQLite after `afterRowid`: its rows as column arrays, ready for unnest. */
function readBatch(read: BetterSqlite3.Statement, afterRowid: number, width: number): { arrays: unknown[][]; rows: number; lastRowid: number } {
  const arrays: unknown[][] = Array.from({ length: width }, () => []);
  let rows = 0;
  let chars = 0;
  let lastRowid = afterRowid;
  // Leaving the loop early closes the statement, so the next batch can run it again.
  for (const row of read.iterate(afterRowid) as Iterable<unknown[]>) {
    lastRowid = row[0] as number;
    for (let i = 0; i < width; i++) {
      const value = row[i + 1];
      arrays[i]!.push(value);
      if (typeof value === 'string') chars += value.length;
    }
    if (++rows >= BATCH_ROWS || chars >= BATCH_CHARS) break;
  }
  return { arrays, rows, lastRowid };
}

/** Copies one table, a batch at a time; returns the rows written. */
async function copyTable(source: BetterSqlite3.Database, client: pg.ClientBase, table: CopiedTable, total: number, progress?: Progress): Promise<number> {
  const columns = matchColumns(source, table, await targetColumns(client, table));
  const names = columns.map((c) => quote(c.name)).join(', ');
  const read = source.prepare(`SELECT rowid, ${names} FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ${BATCH_ROWS}`).raw();
  const insert = `INSERT INTO ${quote(table)} (${names}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
  let copied = 0;
  progress?.(table, copied, total);
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const batch = readBatch(read, after, columns.length);
    if (batch.rows === 0) return copied;
    try {
      await client.query(insert, batch.arrays);
    } catch (error) {
      throw rejectedRows(table, after, batch.lastRowid, error);
    }
    copied += batch.rows;
    after = batch.lastRowid;
    progress?.(table, copied, total);
  }
}

/** PostgreSQL refused a row SQLite holds (a NUL in text, a malformed timestamp, a reference to nothing). */
function rejectedRows(table: string, after: number, last: number, error: unknown): unknown {
  const { code, message, detail } = error as { code?: string; message?: string; detail?: string };
  if (!code || !/^(22|23)/.test(code)) return error;
  const range = after === Number.MIN_SAFE_INTEGER ? `up to SQLite rowid ${last}` : `SQLite rowids ${after + 1}–${last}`;
  return unavailable(`PostgreSQL refused a row of ${table} (${range}): ${message}${detail ? ` (${detail})` : ''}. Nothing was written: the copy is one transaction.`, {
    hint: 'Run ticket-mcp doctor --db on the SQLite file to find damaged rows; fix them there, then run migrate again.',
    details: { table, sqlstate: code },
  });
}

/** Identity columns continue after the copied values, as SQLite's rowids would: the next row gets max + 1. */
async function advanceSequences(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`,
  );
  for (const { table_name: table, column_name: column } of rows) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`, [
      quote(table),
      column,
    ]);
  }
}

/** What a failure of the copy means for the target, said so the operator knows what to do next. */
function copyFailure(error: unknown, committing: boolean): unknown {
  if (error instanceof DomainError) return error;
  if ((error as { code?: string }).code === '55P03') {
    return unavailable('The target database is in use (another migrate, or a ticket-mcp server, holds its tables); nothing was written.', {
      hint: 'Stop whatever uses the target database, then run migrate again.',
    });
  }
  if (!isLostConnection(error)) return error;
  return committing
    ? unavailable('The connection to PostgreSQL was lost while committing: the copy may or may not have landed.', {
        hint: 'Run migrate again: it refuses a target that holds the copy; then check it with ticket-mcp doctor --db URL.',
      })
    : unavailable(`The connection to PostgreSQL was lost during the copy (${(error as Error).message}); nothing was written.`, {
        hint: 'Check the server, then run migrate again.',
      });
}

/**
 * Copies every table of `source` (a ticket-mcp SQLite database at the current schema,
 * opened by the caller) through `client` into an empty database at the current schema.
 * The SQLite side is read in one snapshot; the PostgreSQL side is written in one
 * transaction, which first locks our tables against other writers and refuses (writing
 * nothing) if any of them holds a row. Returns the rows counted in the snapshot.
 */
export async function copySqliteToPostgres(
  source: BetterSqlite3.Database,
  client: pg.ClientBase,
  { target, progress }: { target: string; progress?: Progress },
): Promise<TableCounts> {
  source.exec('BEGIN');
  let committing = false;
  try {
    const counts = Object.fromEntries(COPIED_TABLES.map((t) => [t, countRows(source, t)])) as TableCounts;
    await client.query('BEGIN');
    try {
      await client.query(`LOCK TABLE ${COPIED_TABLES.map(quote).join(', ')} IN EXCLUSIVE MODE`);
      // Checked again under the locks: a server may have started on the target since the caller looked.
      const occupied = await tablesWithRows(client);
      if (occupied.length > 0) throw targetNotEmpty(target, occupied);
      for (const table of COPIED_TABLES) {
        const copied = await copyTable(source, client, table, counts[table], progress);
        if (copied !== counts[table]) throw new Error(`${table}: read ${copied} rows of the ${counts[table]} counted in the same snapshot`);
      }
      await advanceSequences(client);
      committing = true;
      await client.query('COMMIT');
    } catch (error) {
      if (!committing) await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    return counts;
  } catch (error) {
    throw copyFailure(error, committing);
  } finally {
    source.exec('COMMIT');
  }
}
