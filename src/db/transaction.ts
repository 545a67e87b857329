import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from './open.js';

/** How long a transaction keeps retrying a database another process holds, before giving up. */
const BUSY_DEADLINE_MS = 30_000;

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

async function runInTransaction<T>(db: Db, begin: string, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await work(conn);
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
 * does block). The unit has no effects outside the database, so a retry is safe,
 * and SQLITE_BUSY does not reach a caller before the deadline.
 */
async function retryWhileBusy<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_DEADLINE_MS;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await sleep(Math.min(50, 2 ** tries) * (0.5 + Math.random()));
    }
  }
}

/**
 * One write: BEGIN IMMEDIATE takes SQLite's write lock before the first read, so a
 * check-then-write inside `work` cannot race another process.
 */
export function writeTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return retryWhileBusy(() => runInTransaction(db, 'BEGIN IMMEDIATE', work));
}

/** Several reads from one consistent snapshot, so a concurrent write cannot tear them. */
export function readTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return retryWhileBusy(() => runInTransaction(db, 'BEGIN', work));
}
