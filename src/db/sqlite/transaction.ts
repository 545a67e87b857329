import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { busyPastDeadline, isBusy } from './faults.js';
import { ConcurrentChange, type Db } from '../engine.js';

/** How long a transaction keeps retrying a database another process holds, unless the database was opened with another deadline. */
export const DEFAULT_BUSY_DEADLINE_MS = 30_000;

/** What db/open.ts sets for each handle it opens. */
export interface TransactionRules {
  busyDeadlineMs: number;
  /** Throws why this database takes no write at all (it is read-only); runs before BEGIN. */
  refuseWrites?: () => void;
  /** Throws when a write must not be kept (its file was removed or replaced); runs before COMMIT. */
  beforeCommit?: () => void;
}

const rulesOf = new WeakMap<Db, TransactionRules>();
const DEFAULT_RULES: TransactionRules = { busyDeadlineMs: DEFAULT_BUSY_DEADLINE_MS };

export function setTransactionRules(db: Db, rules: TransactionRules): void {
  rulesOf.set(db, rules);
}

async function runInTransaction<T>(db: Db, begin: string, work: (trx: Db) => Promise<T>, beforeCommit?: () => void): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await work(conn);
      beforeCommit?.();
      await sql.raw('COMMIT').execute(conn);
      return result;
    } catch (error) {
      // Some faults (SQLITE_BUSY, SQLITE_FULL) already rolled back; the first error is the one to report.
      await sql.raw('ROLLBACK').execute(conn).catch(() => {});
      throw error;
    }
  });
}

/**
 * Runs the whole unit again while the database is busy, sleeping without blocking
 * the event loop between tries (SQLite's own busy wait is kept short because it
 * does block). The unit has no effects outside the database, so a retry is safe. A
 * ConcurrentChange cannot happen under BEGIN IMMEDIATE, but is retried like BUSY if it does.
 * Past the deadline the caller gets BUSY, never SQLite's error.
 */
async function retryWhileBusy<T>(deadlineMs: number, attempt: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error) && !(error instanceof ConcurrentChange)) throw error;
      const waited = Date.now() - started;
      if (waited > deadlineMs) throw busyPastDeadline(waited);
      await sleep(Math.min(50, 2 ** tries) * (0.5 + Math.random()));
    }
  }
}

/** The last write of each handle, queued or running: the next one starts after it settles. */
const lastWrite = new WeakMap<Db, Promise<unknown>>();

/**
 * One write: BEGIN IMMEDIATE takes SQLite's write lock before the first read, so a
 * check-then-write inside `work` cannot race another process. A process's writes take
 * turns, retries included: while another process holds the lock, only one of them
 * busy-waits (which blocks the thread), and the rest wait without blocking it.
 */
export async function writeTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  const rules = rulesOf.get(db) ?? DEFAULT_RULES;
  rules.refuseWrites?.();
  const previous = lastWrite.get(db) ?? Promise.resolve();
  const turn = previous.then(
    () => retryWhileBusy(rules.busyDeadlineMs, () => runInTransaction(db, 'BEGIN IMMEDIATE', work, rules.beforeCommit)),
  );
  const settled = turn.catch(() => {});
  lastWrite.set(db, settled);
  void settled.then(() => {
    if (lastWrite.get(db) === settled) lastWrite.delete(db);
  });
  return turn;
}

/**
 * Several reads from one consistent snapshot, so a concurrent write cannot tear them.
 * Give it the service's reader handle: on the write handle it waits for writes in progress.
 */
export function readTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return retryWhileBusy((rulesOf.get(db) ?? DEFAULT_RULES).busyDeadlineMs, () => runInTransaction(db, 'BEGIN', work));
}
