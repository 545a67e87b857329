import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from './open.js';

/** How long a write keeps retrying a database another process holds, before giving up. */
const BUSY_DEADLINE_MS = 30_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED');
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
 * One write: BEGIN IMMEDIATE takes SQLite's write lock before the first read, so a
 * check-then-write inside `work` cannot race another process. A busy database is
 * retried (the whole unit, which has no effects outside the database) until the
 * deadline, so SQLITE_BUSY does not reach a caller.
 */
export async function writeTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await runInTransaction(db, 'BEGIN IMMEDIATE', work);
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await sleep(Math.min(100, 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

/** Several reads from one consistent snapshot, so a concurrent write cannot tear them. */
export async function readTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return runInTransaction(db, 'BEGIN', work);
}
