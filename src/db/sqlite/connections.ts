import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Tables } from '../tables.js';

const STATEMENT_CACHE_SIZE = 256;

/**
 * One better-sqlite3 connection, used by one caller at a time (a transaction holds it
 * across awaits). Kysely's SQLite driver calls prepare() for every query; preparing
 * dominates the cost of a small query, so the same SQL text reuses its compiled
 * statement (each connection has its own cache: a statement belongs to its connection).
 */
export class Connection implements DatabaseConnection {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  #held = false;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly raw: BetterSqlite3.Database) {}

  /** Free: nobody holds it, and no transaction is left open on it. */
  get free(): boolean {
    return !this.#held && !this.raw.inTransaction;
  }

  async lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    // unlock() hands the connection straight to the next waiter, so callers are served in order.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql); // re-insert: Map order is the LRU order
    } else {
      statement = this.raw.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  async executeQuery<R>({ sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('ticket-mcp does not stream queries');
  }
}

/** A Kysely driver over connections it does not own (db/open.ts closes them); `pick` says which one a query gets. */
class PickingDriver implements Driver {
  constructor(private readonly pick: () => Connection) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<Connection> {
    const connection = this.pick();
    await connection.lock();
    return connection;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as Connection).unlock();
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  async destroy(): Promise<void> {}
}

const kyselyOn = (driver: Driver): Kysely<Tables> => {
  const dialect: Dialect = {
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
  return new Kysely<Tables>({ dialect });
};

/**
 * The write handle and the read handle over a write connection and an optional read
 * connection. A read takes the write connection when it is free: SQLite empties a
 * connection's page cache whenever another connection has written, so a read there
 * is faster (measured: get_ticket right after a write, 130 µs there against 170 on the
 * other). While a write holds it (or waits on another process's lock), reads go to
 * the read connection, which WAL lets read alongside the writer, and never queue.
 */
export function handles(writer: Connection, reader?: Connection): { db: Kysely<Tables>; reader: Kysely<Tables> } {
  const db = kyselyOn(new PickingDriver(() => writer));
  if (!reader) return { db, reader: db };
  return { db, reader: kyselyOn(new PickingDriver(() => (writer.free ? writer : reader))) };
}
