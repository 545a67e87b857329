import type { AliasedRawBuilder, Kysely, RawBuilder, SelectQueryBuilder } from 'kysely';
import { unavailable, type DomainError } from '../errors.js';
import type { Tables } from './tables.js';

/** A Kysely handle on the ticket tables: the database, or a transaction on it. Repositories take one as their first argument. */
export type Db = Kysely<Tables>;

/**
 * What the service needs of a database engine (SQLite in db/sqlite, PostgreSQL in
 * db/postgres): transactions with the engine's own retry rules, a handle for single
 * reads, and its state for logs and health. The service never asks which engine it has.
 */
export interface Engine {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs: a file path, or a URL without its password. */
  readonly location: string;
  readonly schemaVersion: number;
  /** One write: `work` runs in a transaction that holds what it reads until it commits, retried whole on the engine's transient faults. */
  write<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  /** Several reads from one consistent snapshot, never waiting for a write under way. */
  read<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  /** A single read needs no transaction: one statement sees one snapshot. */
  readonly reader: Db;
  /** Why a write is refused now (a read-only database, its file removed), or undefined when writes go through. */
  writeRefusal(): DomainError | undefined;
  close(): Promise<void>;
}

/** The search parameters of one list query, bound by name in a prepared statement. */
export interface MatchParams {
  ws: unknown;
  /** The engine's query text, from EngineSql.search.query. */
  match: unknown;
  /** Ticket seqs to search within, inclusive: the whole range, or the part after a cursor. */
  fromSeq: unknown;
  toSeq: unknown;
}

/**
 * The pieces of SQL each engine writes its own way; repositories stay engine-neutral
 * Kysely around them. `ticketId` is the expression of the ticket's id in the outer query.
 */
export interface EngineSql {
  /** The ticket's tags as a JSON array of {id, name, color}, by name. */
  tagsJson(ticketId: RawBuilder<string>): RawBuilder<string>;
  /** The ticket's tag names as a JSON array, by name. */
  tagNamesJson(ticketId: RawBuilder<string>): RawBuilder<string>;
  /**
   * The ticket's newest `shown` comments, oldest of them first, as a JSON array of
   * {id, author, authorId, body (cut to `textBudget` characters), internal, createdAt, bytes}.
   */
  newestCommentsJson(ticketId: RawBuilder<string>, shown: number, textBudget: number): RawBuilder<string>;
  /** A ticket read for a change, locked until the transaction ends where the engine locks rows. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any select: the lock is a clause, whatever the query reads
  lockForChange<QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB;
  /**
   * The queue's pick (claim_next_ticket): locks the chosen row of `table` where the engine
   * locks rows, skipping rows another claimer holds, so concurrent claims take different
   * tickets instead of queueing on one.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as lockForChange
  lockForClaim<QB extends SelectQueryBuilder<any, any, any>>(query: QB, table: string): QB;
  search: {
    /** Free text to the engine's query; VALIDATION_ERROR when it has no words. */
    query(text: string): string;
    /** The seqs a page may hold: all, or those past `afterSeq` in the direction of the sort. */
    window(afterSeq: number | undefined, sort: 'updated' | 'created' | 'newest' | 'priority' | 'due'): { fromSeq: number; toSeq: number };
    /** The matches in creation order as a subquery `m`, and the ticket seq and order key of its rows. */
    inOrder(p: MatchParams, direction: 'asc' | 'desc'): { from: AliasedRawBuilder<unknown, 'm'>; seq: RawBuilder<number>; order: RawBuilder<unknown> };
    /** The seqs of the matching tickets, in no order, for `t.seq IN (…)`. */
    seqs(p: MatchParams): RawBuilder<number>;
  };
}

/**
 * How a repository, given only a Kysely handle, reaches its engine's SQL: by the handle's
 * dialect adapter. Every handle of one engine (the database, a connection, a transaction)
 * shares its dialect's adapter class, so no handle has to carry the engine along, and an
 * engine's module registers its pieces once, when it is loaded.
 */
const byAdapter = new Map<Function, EngineSql>();

export function registerEngineSql(adapter: Function, pieces: EngineSql): void {
  byAdapter.set(adapter, pieces);
}

export function engineSql(db: Db): EngineSql {
  const adapter = db.getExecutor().adapter.constructor;
  const pieces = byAdapter.get(adapter);
  if (!pieces) throw new Error(`no engine registered for the Kysely adapter ${adapter.name}`);
  return pieces;
}

/**
 * A change found its ticket at another version than the one it read: a concurrent change
 * won. Engines retry the whole transaction on it, as on their own transient faults.
 */
export class ConcurrentChange extends Error {
  constructor(ticketId: string) {
    super(`ticket ${ticketId} changed under a transaction`);
    this.name = 'ConcurrentChange';
  }
}

/**
 * Each engine's own storage faults (a full disk, a read-only file, an I/O error) as the
 * DomainError the caller gets; registered by the engine's module, as its SQL is.
 */
const faultMaps: ((error: unknown) => DomainError | undefined)[] = [];

export function registerStorageFaults(map: (error: unknown) => DomainError | undefined): void {
  faultMaps.push(map);
}

export function storageFault(error: unknown): DomainError | undefined {
  for (const map of faultMaps) {
    const fault = map(error);
    if (fault) return fault;
  }
  return undefined;
}

/** What every engine's writeRefusal answers in a --read-only session. */
export const readOnlySession = () =>
  unavailable('This server was started with --read-only: it writes nothing, so nothing was changed.', {
    hint: 'Make changes through a session started without --read-only.',
    details: { reason: 'read_only_mode' },
  });
