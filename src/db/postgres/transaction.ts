import { sql, type Kysely } from 'kysely';
import { unavailable } from '../../errors.js';
import type { Tables } from '../tables.js';
import { isLostConnection, withPgRetry, type RetryOptions } from './retry.js';

type PgDb = Kysely<Tables>;

/**
 * A connection lost during COMMIT leaves the outcome unknown: the server may have
 * committed before the socket died. Running the unit again could apply it twice, so this
 * one is answered, never retried.
 */
const commitUnknown = (error: unknown) =>
  Object.assign(
    unavailable('The connection to the database was lost while saving; the change may or may not have been saved. Read it back before retrying.'),
    { cause: error },
  );

/** pg's answer, without sending anything, to a query on a connection already lost. */
const NOT_SENT = /is not queryable$/;

async function runInTransaction<T>(db: PgDb, begin: string, work: (trx: PgDb) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    let result: T;
    try {
      result = await work(conn);
    } catch (error) {
      await sql.raw('ROLLBACK').execute(conn).catch(() => {});
      throw error;
    }
    try {
      await sql.raw('COMMIT').execute(conn);
    } catch (error) {
      // A failure the server reports (40001 at commit, a deferred constraint) means not
      // committed, and so does a COMMIT pg never sent: the connection had already failed.
      const unsent = error instanceof Error && NOT_SENT.test(error.message);
      throw isLostConnection(error) && !unsent ? commitUnknown(error) : error;
    }
    return result;
  });
}

/**
 * One write, at READ COMMITTED: correctness comes from row locks (FOR UPDATE), version
 * checks and unique indexes, not from a global lock. Deadlocks, serialization failures and
 * connections lost before COMMIT run the unit again (db/postgres/retry.ts).
 */
export function pgWriteTransaction<T>(db: PgDb, work: (trx: PgDb) => Promise<T>, options?: RetryOptions): Promise<T> {
  return withPgRetry(() => runInTransaction(db, 'BEGIN', work), options);
}

/** Several reads from one snapshot (REPEATABLE READ, read-only: it never fails to serialize). */
export function pgReadTransaction<T>(db: PgDb, work: (trx: PgDb) => Promise<T>, options?: RetryOptions): Promise<T> {
  return withPgRetry(() => runInTransaction(db, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work), options);
}
