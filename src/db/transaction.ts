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
 * SQLite plans a statement from the table sizes ANALYZE last recorded, and a process
 * keeps its prepared statements for its whole life: one started on a small database
 * would go on scanning tables it planned as tiny after they grew (measured: get_ticket
 * 2.2 ms instead of 35 µs at 20,000 tickets, until a restart). So every so many writes,
 * `PRAGMA optimize` analyzes the tables whose size changed a lot (≈5 ms when it does,
 * ≈40 µs when nothing did), and statements planned on the old figures are planned again.
 */
const WRITES_BETWEEN_OPTIMIZE = 200;
let writesSinceOptimize = 0;

/**
 * One write: BEGIN IMMEDIATE takes SQLite's write lock before the first read, so a
 * check-then-write inside `work` cannot race another process.
 */
export function writeTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return retryWhileBusy(() =>
    runInTransaction(db, 'BEGIN IMMEDIATE', async (trx) => {
      const result = await work(trx);
      // Inside the transaction, which already holds the write lock: never a wait for another process.
      if (++writesSinceOptimize >= WRITES_BETWEEN_OPTIMIZE) {
        writesSinceOptimize = 0;
        await sql.raw('PRAGMA optimize').execute(trx);
      }
      return result;
    }),
  );
}

/** Several reads from one consistent snapshot, so a concurrent write cannot tear them. */
export function readTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return retryWhileBusy(() => runInTransaction(db, 'BEGIN', work));
}
