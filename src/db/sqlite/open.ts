import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DomainError, unavailable } from '../../errors.js';
import { readSchemaSql } from '../../package-root.js';
import { busyPastDeadline, databaseFileRemoved, isBusy, isReadOnly, readOnlyStorage, storageFault } from './faults.js';
import { Connection, handles } from './connections.js';
import { createPrivateFile, databaseFiles } from './files.js';
import { parseMigrations } from '../migrate.js';
import { migrate, schemaVersionOf } from './migrate.js';
import { DEFAULT_BUSY_DEADLINE_MS, setTransactionRules } from './transaction.js';

import { readOnlySession, type Db } from '../engine.js';

export interface OpenOptions {
  /** Reads only: no migration, no write of any kind; the database must exist at the current schema version. */
  readOnly?: boolean;
  /** How long a transaction retries a database another process holds before it answers BUSY (default 30 s). */
  busyDeadlineMs?: number;
}

export interface OpenDatabase {
  /** Writes, and the reads inside them. */
  db: Db;
  /** Reads outside a write: on the write connection when it is free, else on one of their own, so a write under way never delays them. */
  reader: Db;
  raw: BetterSqlite3.Database;
  path: string;
  schemaVersion: number;
  /** Why a write is refused now (a read-only database, its file removed), or undefined when writes go through. */
  writeRefusal(): DomainError | undefined;
  close(): Promise<void>;
}

/**
 * How long one statement waits for another process's lock before SQLITE_BUSY. Very
 * short, because SQLite waits by blocking the event loop; transactions retry on top of
 * it (db/transaction.ts) with sleeps that do not block. At 100 ms, eight writes waiting
 * on another process left the loop about 2 of 150 10-ms turns (test/busy.test.ts).
 */
const BUSY_TIMEOUT_MS = 5;

/** Start-up is synchronous. Other processes starting on the same file may hold it for a moment; wait them out, up to the deadline. */
function retrySyncWhileBusy<T>(deadlineMs: number, attempt: () => T): T {
  const started = Date.now();
  for (;;) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (Date.now() - started > deadlineMs) throw busyPastDeadline(Date.now() - started);
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

/** Settings of the connection, not of the file: they write nothing. */
function configure(raw: BetterSqlite3.Database): void {
  // NORMAL in WAL mode survives a process crash; only a power cut can lose the last commits.
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  // 16 MB of page cache (SQLite's default is 2 MB) keeps the hot index pages of a large helpdesk in memory.
  raw.pragma('cache_size = -16384');
}

/**
 * Whether the file takes writes. SQLite opens a file it cannot write (mode 0444, a
 * read-only folder or mount) read-only without a word; a write rolled back before it
 * reaches the file finds out.
 */
function takesWrites(raw: BetterSqlite3.Database, version: number): boolean {
  try {
    raw.exec('BEGIN IMMEDIATE');
    try {
      raw.pragma(`user_version = ${version}`);
    } finally {
      if (raw.inTransaction) raw.exec('ROLLBACK');
    }
    return true;
  } catch (error) {
    if (isReadOnly(error)) return false;
    throw error;
  }
}

/** A database that can only be read must already be at this ticket-mcp's schema: nothing can set it up or upgrade it. */
function refuseUnusableReadOnly(path: string, version: number, latest: number, why: string): void {
  if (version === latest) return;
  const state = version === 0 ? 'has no ticket-mcp data yet' : `is at schema version ${version}, and this ticket-mcp needs ${latest}`;
  throw unavailable(`The database ${path} ${state}; ${why}, so it cannot be ${version === 0 ? 'set up' : 'upgraded'}.`, {
    hint: version > latest ? 'Upgrade ticket-mcp.' : 'Start ticket-mcp once without --read-only, with write access to the file and its folder.',
    details: { reason: 'schema_not_current', path, schemaVersion: version, expected: latest },
  });
}

/** Start-up failures an operator can act on, said so; anything else stays as it is. */
function startupError(error: unknown, path: string): unknown {
  if (error instanceof DomainError) return error;
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') {
    return unavailable(`Cannot create the database ${path}: its folder cannot be written by this server.`, {
      hint: 'Give the server write access to the folder, or point --db (TICKETS_DB) elsewhere.',
      details: { reason: 'read_only', path },
    });
  }
  if (isReadOnly(error)) {
    // Only reading failed: SQLite must create PATH-shm beside a WAL database to read it.
    return unavailable(`Cannot read the database ${path}: its folder is read-only, and SQLite needs to create ${path}-shm beside it to read it.`, {
      hint: "Make the folder writable for the server's user (the database file itself may stay read-only), or copy the database to a writable folder.",
      details: { reason: 'read_only', path },
    });
  }
  if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') {
    return unavailable(`${path} is not an SQLite database; ticket-mcp leaves it as it is.`, {
      hint: 'Point --db (or TICKETS_DB) at a new file, or at an existing ticket-mcp database.',
      details: { reason: 'not_a_database', path },
    });
  }
  return storageFault(error, path) ?? error;
}

/**
 * Opens a ticket-mcp database: set up or upgraded to the newest migration, or, when
 * the file cannot be written (or `readOnly` asks), read-only at the current schema.
 * A writable file gets a second, read-only connection for reads while a write holds
 * the first (db/connections.ts). `:memory:` has one connection, and nothing to keep
 * read-only.
 */
export function openDatabase(path: string, options: OpenOptions = {}): OpenDatabase {
  const memory = path === ':memory:';
  const readOnly = (options.readOnly ?? false) && !memory;
  const deadline = options.busyDeadlineMs ?? DEFAULT_BUSY_DEADLINE_MS;
  if (readOnly && !existsSync(path)) {
    throw unavailable(`There is no database at ${path}, and a --read-only session creates nothing.`, {
      hint: 'Check --db (TICKETS_DB), or start ticket-mcp once without --read-only to create the database.',
      details: { reason: 'no_database', path },
    });
  }
  let raw: BetterSqlite3.Database | undefined;
  try {
    if (!memory && !readOnly) createPrivateFile(path);
    raw = openSqlite(path, { timeout: BUSY_TIMEOUT_MS, readonly: readOnly });
    const migrations = parseMigrations(readSchemaSql());
    const latest = migrations.at(-1)?.version ?? 0;
    // First make sure it is ours: nothing may touch another application's file, not even its journal mode.
    let version = retrySyncWhileBusy(deadline, () => schemaVersionOf(raw!, path));
    // Plans come from the fixed statistics of schema.sql (migration 3): never ANALYZE here.
    configure(raw);
    let writable = !readOnly;
    if (writable) {
      try {
        version = retrySyncWhileBusy(deadline, () => {
          if (!memory) raw!.pragma('journal_mode = WAL');
          return migrate(raw!, migrations).to;
        });
        writable = memory || retrySyncWhileBusy(deadline, () => takesWrites(raw!, version));
      } catch (error) {
        if (!isReadOnly(error)) throw error;
        writable = false;
      }
    }
    if (!writable) refuseUnusableReadOnly(path, version, latest, readOnly ? 'a --read-only session does not write' : 'it is read-only for this server');
    return assemble(raw, path, version, { readOnly, writable, deadline });
  } catch (error) {
    raw?.close();
    throw startupError(error, path);
  }
}

/** The handles and rules of an opened database. */
function assemble(
  raw: BetterSqlite3.Database,
  path: string,
  schemaVersion: number,
  { readOnly, writable, deadline }: { readOnly: boolean; writable: boolean; deadline: number },
): OpenDatabase {
  const fileBacked = path !== ':memory:';
  let readerRaw: BetterSqlite3.Database | undefined;
  if (writable && fileBacked) {
    readerRaw = openSqlite(path, { timeout: BUSY_TIMEOUT_MS, readonly: true });
    configure(readerRaw);
  }
  const { db, reader } = handles(new Connection(raw), readerRaw && new Connection(readerRaw));
  const files = writable && fileBacked ? databaseFiles(path) : undefined;
  const refusal = readOnly ? readOnlySession : writable ? undefined : () => readOnlyStorage(path);
  setTransactionRules(db, {
    busyDeadlineMs: deadline,
    ...(refusal && {
      refuseWrites: () => {
        throw refusal();
      },
    }),
    ...(files && {
      beforeCommit: () => {
        if (!files.stillOpenAt()) throw databaseFileRemoved(path);
      },
    }),
  });
  if (reader !== db) setTransactionRules(reader, { busyDeadlineMs: deadline });
  return {
    db,
    reader,
    raw,
    path,
    schemaVersion,
    writeRefusal: () => refusal?.() ?? (files && !files.stillOpenAt() ? databaseFileRemoved(path) : undefined),
    async close() {
      // The reader first: the writer, closing last, checkpoints the WAL into the file.
      readerRaw?.close();
      raw.close();
      files?.removeOrphans();
    },
  };
}
