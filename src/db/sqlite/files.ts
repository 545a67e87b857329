import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
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

const identify = (file: string) => {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat && `${stat.dev}:${stat.ino}`;
};

/**
 * The files of a database as it was opened. Removed or replaced under a running
 * server (`rm tickets.db*`, `mv other.db tickets.db`), the server would write on into
 * a file nobody can open again: `stillOpenAt()` says whether the path still names the
 * file opened, one stat, cheap enough to run before every commit. (Only the database
 * file is checked there: removing the -wal or -shm alone is rarer, and each would cost
 * another stat.)
 */
export function databaseFiles(path: string): { stillOpenAt(): boolean; removeOrphans(): void } {
  const opened = identify(path);
  const companions = ['-wal', '-shm'].map((suffix) => [path + suffix, identify(path + suffix)] as const);
  const stillOpenAt = () => identify(path) === opened;
  return {
    stillOpenAt,
    /**
     * Once closed: SQLite leaves the -wal and -shm of a file that moved, and the next
     * server would read that -wal as the new file's (measured: a file moved into place
     * came up as the old, empty helpdesk). Ours, still at the path, are removed.
     */
    removeOrphans() {
      if (stillOpenAt()) return;
      for (const [file, id] of companions) if (id !== undefined && identify(file) === id) rmSync(file, { force: true });
    },
  };
}
