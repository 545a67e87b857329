import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates a new database file readable by its owner only. SQLite gives the -wal and
 * -shm files it makes beside it the database file's mode, so all three are 0600.
 * An existing file is left as it is; a folder made here is 0700.
 */
export function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    // Another process starting on the same path made it first.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * The database file as it was opened. Removed or replaced under a running server
 * (`rm tickets.db*`, `mv other.db tickets.db`), the server would write on into a file
 * nobody can open again; `stillOpenAt()` says whether the path still names it. One
 * stat of the path, cheap enough to run before every commit. (The -wal and -shm files
 * are not checked: removing those alone is rarer, and each would cost another stat.)
 */
export function fileIdentity(path: string): { stillOpenAt(): boolean } {
  const identify = () => {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat && `${stat.dev}:${stat.ino}`;
  };
  const opened = identify();
  return { stillOpenAt: () => identify() === opened };
}
