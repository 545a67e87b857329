import type { Engine } from '../engine.js';
import { openDatabase, type OpenDatabase, type OpenOptions } from './open.js';
import './sql.js';
import { readTransaction, writeTransaction } from './transaction.js';

/** The SQLite engine; its opened database is there for what only SQLite has (doctor, backup, tests of the file itself). */
export interface SqliteEngine extends Engine {
  readonly kind: 'sqlite';
  readonly database: OpenDatabase;
}

/** The SQLite engine on an opened database: writes on its writer under BEGIN IMMEDIATE, reads on its reader. */
export function sqliteEngine(opened: OpenDatabase): SqliteEngine {
  return {
    database: opened,
    kind: 'sqlite',
    location: opened.path,
    schemaVersion: opened.schemaVersion,
    reader: opened.reader,
    write: (work) => writeTransaction(opened.db, work),
    read: (work) => readTransaction(opened.reader, work),
    writeRefusal: () => opened.writeRefusal(),
    close: () => opened.close(),
  };
}

export const openSqliteEngine = (path: string, options?: OpenOptions): SqliteEngine => sqliteEngine(openDatabase(path, options));
