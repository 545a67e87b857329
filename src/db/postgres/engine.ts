import { readOnlySession, type Engine } from '../engine.js';
import { redactUrl } from '../url.js';
import { openPostgres, type OpenPostgres, type PostgresOptions } from './open.js';
import './sql.js';
import { pgReadTransaction, pgWriteTransaction } from './transaction.js';

/** The PostgreSQL engine; its opened pool is there for what only PostgreSQL has (doctor, tests of the server itself). */
export interface PostgresEngine extends Engine {
  readonly kind: 'postgres';
  readonly database: OpenPostgres;
}

/**
 * A unique index another transaction just filled (an idempotency key, a chat's live
 * ticket, a contact's email) under READ COMMITTED: the check before the insert could not
 * see it yet. Run again, the check sees the committed row and gives the answer SQLite
 * gives (the replay, CONFLICT, the existing contact). Bounded: a violation that is still
 * there after a few runs is not a race, and passes through.
 */
const UNIQUE_VIOLATION = '23505';
const RACES_LOST_AT_MOST = 3;
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;

export interface PostgresEngineOptions extends PostgresOptions {
  /** --read-only: every write answers UNAVAILABLE. */
  readOnly?: boolean;
}

/** The PostgreSQL engine on `url`: writes at READ COMMITTED with row locks and retries, reads from one snapshot. */
export async function openPostgresEngine(url: string, options: PostgresEngineOptions = {}): Promise<PostgresEngine> {
  const opened = await openPostgres(url, options);
  const writeRefusal = () => (options.readOnly ? readOnlySession() : undefined);
  return {
    database: opened,
    kind: 'postgres',
    location: redactUrl(url),
    schemaVersion: opened.schemaVersion,
    reader: opened.db,
    async write(work) {
      const refusal = writeRefusal();
      if (refusal) throw refusal;
      for (let races = 1; ; races++) {
        try {
          return await pgWriteTransaction(opened.db, work);
        } catch (error) {
          if (!isUniqueViolation(error) || races >= RACES_LOST_AT_MOST) throw error;
        }
      }
    },
    read: (work) => pgReadTransaction(opened.db, work),
    writeRefusal,
    close: () => opened.close(),
  };
}
