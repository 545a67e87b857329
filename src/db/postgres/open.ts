import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createLogger, type Logger } from '../../log.js';
import type { Tables } from '../tables.js';
import { redactUrl } from '../url.js';
import { migratePostgres } from './migrate.js';
import { postgresMigrations } from './schema.js';

export interface PostgresOptions {
  /** Connections in the pool (pg's `max`); default 10. */
  poolSize?: number;
  /** How long to wait for a connection, new or from a full pool; default 5 s. */
  connectionTimeoutMs?: number;
  log?: Logger;
}

export interface OpenPostgres {
  db: Kysely<Tables>;
  pool: pg.Pool;
  schemaVersion: number;
  close(): Promise<void>;
}

export const DEFAULT_POOL_SIZE = 10;
const CONNECTION_TIMEOUT_MS = 5_000;
/** A row lock held longer than this by another transaction fails with 55P03, which is retried (retry.ts). */
const LOCK_TIMEOUT_MS = 5_000;
/** A process that stalls inside a transaction loses its session and its row locks after this. */
const IDLE_IN_TRANSACTION_MS = 60_000;

const OID = { bool: 16, int8: 20, json: 114, numeric: 1700, jsonb: 3802 } as const;

/**
 * Values read back as the SQLite engine returns them, set on this pool's connections only
 * (pg.types.setTypeParser would change every pg user in the process): bigint ids and
 * count(*) as numbers (safe below 2^53), numeric sums as numbers, booleans as 1/0, and
 * json aggregates as their text, which the service parses.
 */
const sqliteLikeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    switch (oid) {
      case OID.int8:
      case OID.numeric:
        return (value: string) => Number(value);
      case OID.bool:
        return (value: string) => (value === 't' ? 1 : 0);
      case OID.json:
      case OID.jsonb:
        return (value: string) => value;
      default:
        return pg.types.getTypeParser(oid, format);
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Opens a pool on `url` and brings the schema up to date. A connection's failure (the
 * server restarted, a network cut) never kills the process: an idle one is logged and
 * replaced, a busy one fails its query.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<OpenPostgres> {
  const log = options.log ?? createLogger('warn');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    keepAlive: true,
    // Idle connections do not keep the process alive: a stdio session ends when its input does.
    allowExitOnIdle: true,
    application_name: 'ticket-mcp',
    types: sqliteLikeTypes,
  });
  pool.on('error', (error) => log.error('an idle PostgreSQL connection failed; the pool will open another', { error, db: redactUrl(url) }));
  // pg-pool listens for errors only on idle connections: one that dies while checked out
  // between two queries would emit an unheard 'error' and crash the process. The next
  // query on it fails instead ("not queryable"), which the transaction retries.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const { to } = await migratePostgres(pool, postgresMigrations);
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    // Kysely ends the pool only if it ran a query (its driver starts lazily): end it here otherwise.
    const close = async () => {
      await db.destroy();
      if (!pool.ended) await pool.end();
    };
    return { db, pool, schemaVersion: to, close };
  } catch (error) {
    await pool.end().catch(() => {});
    // The start-up failure names the server, never its password.
    throw new Error(`PostgreSQL at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
