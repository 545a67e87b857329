import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { readSchemaSql } from '../package-root.js';
import { migrate, parseMigrations } from './migrate.js';
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;

export interface OpenDatabase {
  db: Db;
  raw: BetterSqlite3.Database;
  path: string;
  schemaVersion: number;
  close(): Promise<void>;
}

/** How long one statement waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;
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

export function openDatabase(path: string): OpenDatabase {
  const raw = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    if (path !== ':memory:') raw.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash; only a power cut can lose the last commits.
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    const { to } = migrate(raw, parseMigrations(readSchemaSql()));
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    return { db, raw, path, schemaVersion: to, close: () => db.destroy() };
  } catch (error) {
    raw.close();
    throw error;
  }
}
