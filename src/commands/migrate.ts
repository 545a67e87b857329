import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseMigrations } from '../db/migrate.js';
import { schemaVersionOf } from '../db/sqlite/migrate.js';
import { openSqlite } from '../db/sqlite/open.js';
import { COPIED_TABLES, copySqliteToPostgres, tablesWithRows, targetNotEmpty, type CopiedTable, type TableCounts } from '../db/postgres/copy.js';
import { examinePostgresUrl } from '../db/postgres/doctor.js';
import { openPostgres, type OpenPostgres } from '../db/postgres/open.js';
import { postgresMigrations } from '../db/postgres/schema.js';
import { isPostgresUrl, redactUrl } from '../db/url.js';
import { DomainError, unavailable } from '../errors.js';
import type { Logger } from '../log.js';
import { readSchemaSql } from '../package-root.js';
import { reportFindings } from './maintenance.js';
import { UsageError, type Values } from './options.js';

/** How often a long table reports its progress on stderr. */
const PROGRESS_EVERY_MS = 2_000;

/** Why a source file cannot be copied, said for migrate; nothing has been written anywhere yet. */
function refuseSource(path: string, why: string, hint: string, reason: string): DomainError {
  return unavailable(`${path} ${why}; migrate wrote nothing.`, { hint, details: { reason, path } });
}

/**
 * The SQLite file to copy, opened read-only: it must be a ticket-mcp database at the
 * schema version this ticket-mcp writes on both engines. Upgrading it is the server's job
 * (it migrates on opening), never migrate's: the source is only read.
 */
function openSource(path: string): BetterSqlite3.Database {
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  const latest = parseMigrations(readSchemaSql()).at(-1)!.version;
  const pgLatest = postgresMigrations.at(-1)!.version;
  if (latest !== pgLatest) throw new Error(`this ticket-mcp's schemas disagree: SQLite at version ${latest}, PostgreSQL at ${pgLatest}`);
  const raw = openSqlite(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    let version: number;
    try {
      version = schemaVersionOf(raw, path);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') {
        throw refuseSource(path, 'is not an SQLite database', 'Check --from: it takes the SQLite file a ticket-mcp server writes (--db).', 'not_a_database');
      }
      if (error instanceof DomainError) {
        throw refuseSource(path, 'is another application’s SQLite database, not ticket-mcp’s', 'Check --from: it takes the SQLite file a ticket-mcp server writes (--db).', 'not_a_ticket_mcp_database');
      }
      throw error;
    }
    if (version === 0) throw refuseSource(path, 'holds no ticket-mcp data (an empty database)', 'Check --from: nothing to copy.', 'empty');
    if (version > latest) {
      throw refuseSource(path, `is at schema version ${version}, newer than this ticket-mcp knows (${latest})`, 'Upgrade ticket-mcp, then run migrate again.', 'schema_not_current');
    }
    if (version < latest) {
      throw refuseSource(
        path,
        `is at schema version ${version}; this ticket-mcp copies version ${latest}`,
        `Open it once with this ticket-mcp to upgrade it (for example: ticket-mcp workspaces list --db ${path}), then run migrate again.`,
        'schema_not_current',
      );
    }
    return raw;
  } catch (error) {
    raw.close();
    throw error;
  }
}

const UNREACHABLE_HINT = 'Check the --to URL, that the server is running and that the database exists (create an empty one with: createdb NAME).';

/**
 * The target, once it is known to hold no rows of ours (looked at before anything is
 * written, not even a schema upgrade), set up or upgraded to the current schema. A server
 * that cannot be reached is said so, without its password.
 */
async function openTarget(url: string, log: Logger): Promise<OpenPostgres> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  probe.on('error', () => {}); // a lost connection fails the query under way
  try {
    await probe.connect();
    const occupied = await tablesWithRows(probe);
    if (occupied.length > 0) throw targetNotEmpty(redactUrl(url), occupied);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw unavailable(`Cannot use PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}; migrate wrote nothing.`, { hint: UNREACHABLE_HINT });
  } finally {
    await probe.end().catch(() => {});
  }
  try {
    return await openPostgres(url, { poolSize: 2, log });
  } catch (error) {
    throw unavailable(`${(error as Error).message}; migrate wrote nothing.`, { hint: UNREACHABLE_HINT });
  }
}

/** Progress on stderr: each table when done, and a long one every few seconds (`copied` is 0 as a table starts). */
function progressReporter(): { progress: (table: CopiedTable, copied: number, total: number) => void } {
  let table: CopiedTable | undefined;
  let started = 0;
  let reported = 0;
  return {
    progress(current, copied, total) {
      const now = performance.now();
      if (current !== table) [table, started, reported] = [current, now, now];
      if (copied === total) {
        process.stderr.write(`migrate: ${current}: ${total.toLocaleString('en')} rows in ${((now - started) / 1000).toFixed(1)} s\n`);
      } else if (now - reported >= PROGRESS_EVERY_MS) {
        reported = now;
        process.stderr.write(`migrate: ${current}: ${copied.toLocaleString('en')} of ${total.toLocaleString('en')} rows\n`);
      }
    },
  };
}

async function countTarget(target: OpenPostgres): Promise<TableCounts> {
  const { rows } = await target.pool.query<{ name: CopiedTable; n: number }>(
    COPIED_TABLES.map((t) => `SELECT '${t}' AS name, count(*)::int AS n FROM "${t}"`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n])) as TableCounts;
}

/** The two sides' counts, one table a line; true when every table matches. */
function reportCounts(source: TableCounts, target: TableCounts): boolean {
  const width = Math.max(...COPIED_TABLES.map((t) => t.length), 'table'.length);
  const line = (name: string, a: string, b: string, mark = '') => `  ${name.padEnd(width)}  ${a.padStart(10)}  ${b.padStart(10)}${mark}\n`;
  let out = line('table', 'SQLite', 'PostgreSQL');
  let same = true;
  for (const t of COPIED_TABLES) {
    const match = source[t] === target[t];
    same &&= match;
    out += line(t, source[t].toLocaleString('en'), target[t].toLocaleString('en'), match ? '' : '  MISMATCH');
  }
  process.stdout.write(out);
  return same;
}

/**
 * `ticket-mcp migrate --from FILE.db --to postgres://…`: copies a whole SQLite database
 * into an empty PostgreSQL one in one transaction, then checks the copy: per-table counts
 * of both sides and the doctor on the target. Exit code 0 only when both agree.
 */
export async function runMigrate(values: Values, log: Logger): Promise<void> {
  const { from, to } = values;
  if (!from || !to) throw new UsageError('migrate needs --from FILE.db (a ticket-mcp SQLite database) and --to postgres://… (an empty PostgreSQL database)');
  if (isPostgresUrl(from)) throw new UsageError('--from takes the SQLite file to copy; the PostgreSQL URL goes to --to');
  if (!isPostgresUrl(to)) throw new UsageError(`--to takes a postgres:// or postgresql:// URL, not "${to}"`);
  const shown = redactUrl(to);
  const source = openSource(from);
  try {
    const target = await openTarget(to, log);
    const started = performance.now();
    let sourceCounts: TableCounts;
    let targetCounts: TableCounts;
    try {
      const client = await target.pool.connect();
      try {
        sourceCounts = await copySqliteToPostgres(source, client, { target: shown, ...progressReporter() });
      } finally {
        client.release();
      }
      targetCounts = await countTarget(target);
    } finally {
      await target.close();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`Copied ${from} into ${shown} in one transaction, in ${seconds} s.\n\n`);
    const countsMatch = reportCounts(sourceCounts, targetCounts);
    const { findings, tickets } = await examinePostgresUrl(to);
    process.stdout.write('\n');
    const healthy = reportFindings(shown, findings, { tickets });
    process.stdout.write(
      countsMatch && healthy
        ? '\nEvery count matches and the doctor passes: start ticket-mcp with --db set to the --to URL.\n'
        : `\nThe copy does not check out (${countsMatch ? 'the doctor failed' : 'counts differ'}): keep using ${from}, and report this.\n`,
    );
    process.exitCode = countsMatch && healthy ? 0 : 1;
  } finally {
    source.close();
  }
}
