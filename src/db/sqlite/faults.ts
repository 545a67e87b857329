import { busy, unavailable, type DomainError } from '../../errors.js';

/**
 * What SQLite's failures mean to a caller, in one place. Storage an operator must fix
 * (read-only, full, failing, or a file removed under the server) answers UNAVAILABLE
 * with `details.reason`; a lock held past the deadline answers BUSY. A change that
 * fails this way was rolled back whole: the messages can say nothing was changed.
 */

const sqliteCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
};

export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** SQLITE_READONLY and its extended codes (a read-only file, folder or mount). */
export const isReadOnly = (error: unknown): boolean => sqliteCode(error)?.startsWith('SQLITE_READONLY') ?? false;

const theDatabase = (path?: string) => (path ? `The database ${path}` : 'The database');

export const readOnlyStorage = (path?: string, code?: string) =>
  unavailable(`${theDatabase(path)} is read-only for this server (its file, folder or disk cannot be written), so nothing was changed.`, {
    hint: "Reads still work. An operator must make the database file and its folder writable for the server's user, then restart ticket-mcp.",
    details: { reason: 'read_only', ...(path && { path }), ...(code && { sqlite: code }) },
  });

export const databaseFileRemoved = (path: string) =>
  unavailable(
    `The database file ${path} was removed or replaced while the server ran, so this change was not saved (it would have gone to a file nobody can open again). Nothing was changed.`,
    {
      hint: 'An operator must restart ticket-mcp (it then opens the file now at that path), or first put the original file back.',
      details: { reason: 'database_file_removed', path },
    },
  );

export const busyPastDeadline = (waitedMs: number) =>
  busy(`The database is held by another writer: this call waited ${(waitedMs / 1000).toFixed(1)} s for it, then gave up. Nothing was changed.`, {
    hint: 'Retry after a pause of a few seconds. If it keeps happening, another process is holding a long transaction on the database.',
    details: { reason: 'locked', waitedMs },
  });

/** The UNAVAILABLE error a SQLite failure of the storage stands for, or undefined for any other error. */
export function storageFault(error: unknown, path?: string): DomainError | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  if (code.startsWith('SQLITE_READONLY')) return readOnlyStorage(path, code);
  if (code === 'SQLITE_FULL') {
    return unavailable(`The disk holding ${path ?? 'the database'} is full, so the change was not saved. Nothing was changed.`, {
      hint: 'Reads still work. An operator must free space on that disk (or move the database to a larger one); then retry the change.',
      details: { reason: 'disk_full', ...(path && { path }) },
    });
  }
  // SQLITE_IOERR_NOMEM is memory, not storage.
  if (code.startsWith('SQLITE_IOERR') && code !== 'SQLITE_IOERR_NOMEM') {
    return unavailable(`The disk or file system failed while reading or writing ${path ?? 'the database'} (${code}). Nothing was changed.`, {
      hint: 'An operator must check the disk and the server log, then restart ticket-mcp once the storage is healthy.',
      details: { reason: 'io_error', sqlite: code, ...(path && { path }) },
    });
  }
  return undefined;
}
