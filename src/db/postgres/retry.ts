import { setTimeout as sleep } from 'node:timers/promises';
import { busy, DomainError, unavailable, validationError } from '../../errors.js';
import { ConcurrentChange } from '../engine.js';

/**
 * Which PostgreSQL failures are retried like SQLITE_BUSY and which become our error codes.
 * Codes are SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
 * or Node's socket errors; pg's own connection errors carry only a message.
 */

/** Another transaction won: the whole unit can run again and will likely succeed. */
const CONTENTION = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available: a row lock held past lock_timeout
  '53300', // too_many_connections: the server is full for a moment
]);

/** The server went away or is restarting; a new connection may succeed. */
const SERVER_GONE = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
]);
const SOCKET_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired)/;
/** pg-pool's answer when every connection stays busy past connectionTimeoutMillis: contention, not a fault. */
const POOL_EXHAUSTED = 'timeout exceeded when trying to connect';

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : '');

export function isLostConnection(error: unknown): boolean {
  const code = codeOf(error);
  if (code && (code.startsWith('08') || SERVER_GONE.has(code) || SOCKET_ERRORS.has(code))) return true;
  return !code && PG_CONNECTION_MESSAGES.test(messageOf(error));
}

/** A version-checked save that found another version (service/changes.ts) lost a race too. */
const isContention = (error: unknown) =>
  error instanceof ConcurrentChange || CONTENTION.has(codeOf(error) ?? '') || messageOf(error) === POOL_EXHAUSTED;

/** A failure after which running the whole transaction again is safe and may succeed. */
export function isRetryablePgError(error: unknown): boolean {
  return isContention(error) || isLostConnection(error);
}

/**
 * The answer for a failure no retry fixes, or undefined when it is someone else's to
 * judge (a unique violation, 23505, is the service's: an idempotency key or a live chat).
 */
export function pgDomainError(error: unknown): DomainError | undefined {
  switch (codeOf(error)) {
    case '25006': // read_only_sql_transaction
      return unavailable('The database is read-only (a standby, or set read-only): point ticket-mcp at the primary.');
    case '53100': // disk_full
      return unavailable('The database server is out of disk space; nothing was saved. An operator must free space.');
    case '53200': // out_of_memory
      return unavailable('The database server is out of memory; nothing was saved. Retry later or ask an operator.');
    case '22021': // character_not_in_repertoire: PostgreSQL text cannot hold U+0000
      return validationError('Text contains a NUL character (\\u0000), which the database cannot store: remove it.');
    default:
      return undefined;
  }
}

/** How long a unit keeps retrying, as SQLite's BUSY deadline (db/transaction.ts). */
export const RETRY_DEADLINE_MS = 30_000;

export interface RetryOptions {
  deadlineMs?: number;
  /** Called before each retry: the failure and the attempt that failed (1 for the first). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Exponential from 5 ms to 200 ms, jittered ×0.5–1.5 so racing processes do not retry in step. */
const backoffMs = (attempt: number) => Math.min(200, 5 * 2 ** (attempt - 1)) * (0.5 + Math.random());

/**
 * Runs `attempt` again after contention or a lost connection, sleeping between tries,
 * until the deadline; then answers BUSY (contention) or UNAVAILABLE (no server). `attempt`
 * must be a whole transaction with no effects outside the database. Failures no retry
 * fixes become their domain error; the rest (constraint violations…) pass through as
 * they are.
 */
export async function withPgRetry<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? RETRY_DEADLINE_MS);
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryablePgError(error)) throw pgDomainError(error) ?? error;
      if (Date.now() > deadline) throw gaveUp(error, tries);
      options.onRetry?.(error, tries);
      await sleep(backoffMs(tries));
    }
  }
}

/** The answer once the deadline has passed; the last failure stays attached as `cause`, for the log. */
function gaveUp(error: unknown, tries: number): DomainError {
  const answer = isLostConnection(error)
    ? unavailable(`Cannot reach the PostgreSQL server (${tries} tries): check that it is running, then retry.`)
    : busy(`The database stayed busy through ${tries} tries (other writers hold the rows): retry after a pause.`);
  return Object.assign(answer, { cause: error });
}
