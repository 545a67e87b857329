import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import { DEFAULT_WORKSPACE } from '../service/context.js';
import { TicketService } from '../service/service.js';
import type { Values } from './options.js';

function defaultDatabasePath(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'ticket-mcp', 'tickets.db');
}

/** The workspace the flags and environment name (stdio sessions, keys create). */
export const workspaceName = (values: Values) => values.workspace || process.env.TICKETS_WORKSPACE || DEFAULT_WORKSPACE;

/** The database the flags and environment name; an empty value counts as unset (SQLite would open a throwaway one). */
export const databasePath = (values: Values) => values.db || process.env.TICKETS_DB || defaultDatabasePath();

export function openService(values: Values): { service: TicketService; path: string } {
  const path = databasePath(values);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return { service: TicketService.open(path), path };
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
