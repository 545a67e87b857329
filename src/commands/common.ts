import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../db/engine.js';
import { DEFAULT_POOL_SIZE } from '../db/postgres/open.js';
import { openPostgresEngine } from '../db/postgres/engine.js';
import { openSqliteEngine } from '../db/sqlite/engine.js';
import { isPostgresUrl } from '../db/url.js';
import type { Logger } from '../log.js';
import { DEFAULT_WORKSPACE } from '../service/context.js';
import { TicketService } from '../service/service.js';
import { UsageError, type Values } from './options.js';

function defaultDatabasePath(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'ticket-mcp', 'tickets.db');
}

/** The workspace the flags and environment name (stdio sessions, keys create). */
export const workspaceName = (values: Values) => values.workspace || process.env.TICKETS_WORKSPACE || DEFAULT_WORKSPACE;

/** The database the flags and environment name; an empty value counts as unset (SQLite would open a throwaway one). */
export const databasePath = (values: Values) => values.db || process.env.TICKETS_DB || defaultDatabasePath();

/** TICKETS_BUSY_TIMEOUT_MS: how long a call waits for another process's write lock before it answers BUSY (default 30 s). */
function busyDeadline(): number | undefined {
  const text = process.env.TICKETS_BUSY_TIMEOUT_MS?.trim();
  if (!text) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`TICKETS_BUSY_TIMEOUT_MS must be a whole number of milliseconds (e.g. 30000), not "${text}"`);
  return Number(text);
}

/** --pool-size / TICKETS_PG_POOL: connections each process keeps to PostgreSQL (default 10). */
function poolSize(values: Values): number {
  const text = (values['pool-size'] || process.env.TICKETS_PG_POOL || '').trim();
  if (!text) return DEFAULT_POOL_SIZE;
  if (!/^[1-9]\d{0,3}$/.test(text)) throw new UsageError(`--pool-size (TICKETS_PG_POOL) must be a whole number from 1 to 9999, not "${text}"`);
  return Number(text);
}

/**
 * The service on the database the flags name: a postgres:// or postgresql:// URL opens
 * PostgreSQL, anything else is a SQLite file. `readOnly` refuses every write; on SQLite it
 * also opens the file without writing anything (no set-up, no migration), and a file the
 * server cannot write opens read-only too, which the log says. `location` is the database
 * as it may be logged (a URL without its password).
 */
export async function openService(
  values: Values,
  { log, readOnly = false }: { log?: Logger; readOnly?: boolean } = {},
): Promise<{ service: TicketService; location: string }> {
  const target = databasePath(values);
  let engine: Engine;
  if (isPostgresUrl(target)) {
    // Read before connecting, so a bad value is a usage error, not a half-open pool.
    const size = poolSize(values);
    engine = await openPostgresEngine(target, { poolSize: size, readOnly, log });
  } else {
    engine = openSqliteEngine(target, { readOnly, busyDeadlineMs: busyDeadline() });
  }
  const service = new TicketService(engine);
  const refusal = service.writeRefusal();
  if (refusal && !readOnly) {
    log?.warn('the database cannot be written: serving reads only, writes answer UNAVAILABLE', { db: engine.location, ...refusal.extras.details });
  }
  return { service, location: engine.location };
}

/** Closes the server, lets calls in flight finish, then closes the database. */
export function onShutdown(log: Logger, close: () => Promise<void>): (reason: string) => void {
  let closing = false;
  return (reason) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { reason });
    void close().then(() => {
      process.exitCode = 0;
      // Everything is closed, so the process ends by itself; this only guards against a stray handle.
      setTimeout(() => process.exit(0), 3_000).unref();
    });
  };
}
