import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { readSchemaSql } from '../package-root.js';
import { migrate, parseMigrations } from './migrate.js';
import { isBusy } from './transaction.js';
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;

export interface OpenDatabase {
  db: Db;
  raw: BetterSqlite3.Database;
  path: string;
  schemaVersion: number;
  close(): Promise<void>;
}

/**
 * How long one statement waits for another process's lock before SQLITE_BUSY. Short,
 * because SQLite waits by blocking the event loop; transactions retry on top of it
 * (db/transaction.ts) with sleeps that do not block.
 */
const BUSY_TIMEOUT_MS = 100;
/** Start-up (journal mode, migrations) is synchronous; it retries a busy database this long. */
const STARTUP_DEADLINE_MS = 30_000;
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver calls prepare() for every query; preparing dominates the
 * cost of a small query, so the same SQL text reuses its compiled statement.
 */
function withStatementCache(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-insert: Map order is the LRU order
      } else {
        statement = raw.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** Other processes starting on the same file may hold it for a moment; wait them out. */
function retrySyncWhileBusy<T>(attempt: () => T): T {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  for (;;) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

/**
 * better-sqlite3's compiled addon, where building it from source or a prebuilt download
 * puts it. Left to itself, better-sqlite3 finds it with the `bindings` package, which
 * captures the call stack and tries two other paths first: ≈2 ms of every start (measured
 * with the addon loaded both ways). Elsewhere (a Debug build), that search still runs.
 */
const nativeBinding = (() => {
  const built = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  return existsSync(built) ? built : undefined;
})();

/** A better-sqlite3 connection with the addon found above: every connection is made here. */
export function openSqlite(path: string, options: BetterSqlite3.Options = {}): BetterSqlite3.Database {
  return new BetterSqlite3(path, { ...options, nativeBinding });
}

export function openDatabase(path: string): OpenDatabase {
  const raw = openSqlite(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    const { to } = retrySyncWhileBusy(() => {
      if (path !== ':memory:') raw.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a process crash; only a power cut can lose the last commits.
      raw.pragma('synchronous = NORMAL');
      raw.pragma('foreign_keys = ON');
      // 16 MB of page cache (SQLite's default is 2 MB) keeps the hot index pages of a large helpdesk in memory.
      raw.pragma('cache_size = -16384');
      // Plans come from the fixed statistics of schema.sql (migration 3): never ANALYZE here.
      return migrate(raw, parseMigrations(readSchemaSql()));
    });
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    const close = () => db.destroy();
    return { db, raw, path, schemaVersion: to, close };
  } catch (error) {
    raw.close();
    throw error;
  }
}
