import type BetterSqlite3 from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import { openSqlite } from './open.js';
import { validationError } from '../../errors.js';
import type { EngineSql, MatchParams } from '../engine.js';

/**
 * Full-text search over ticket_search (title, description) and comment_search (the
 * words of a ticket's comments), both keyed by rowid = scope × 2^40 + ticket seq, where
 * the scope is the workspace's number (schema.sql, migration 4).
 */

/** The tokenizer of both indexes in schema.sql, without its stemmer (which runs when a query is matched). */
export const SEARCH_TOKENIZER = 'unicode61 remove_diacritics 2';

/** Rowids of one workspace's index rows span this many values; a ticket's seq is its offset. */
export const SCOPE_SPAN = 2 ** 40;

/**
 * A private in-memory FTS5 table with the indexes' tokenizer: the text is inserted,
 * its terms read back, and the insert rolled back. So a search is split into words
 * exactly where the index split the text (`user_id` is `user` and `id`; letters that
 * SQLite's Unicode tables do not know are separators, as they were when indexing),
 * however the tokenizer's rules differ from a regular expression's.
 */
class Tokenizer {
  readonly #db: BetterSqlite3.Database;
  readonly #insert: BetterSqlite3.Statement;
  readonly #terms: BetterSqlite3.Statement;

  constructor() {
    this.#db = openSqlite(':memory:');
    this.#db.exec(`CREATE VIRTUAL TABLE words USING fts5 (text, content = '', detail = none, tokenize = '${SEARCH_TOKENIZER}');
      CREATE VIRTUAL TABLE terms USING fts5vocab (words, 'row');`);
    this.#insert = this.#db.prepare('INSERT INTO words (rowid, text) VALUES (1, ?)');
    this.#terms = this.#db.prepare('SELECT term FROM terms').pluck();
  }

  /** The distinct words of `text`, folded (lower case, accents removed). */
  words(text: string): string[] {
    this.#db.exec('BEGIN');
    try {
      this.#insert.run(text);
      return this.#terms.all() as string[];
    } finally {
      this.#db.exec('ROLLBACK');
    }
  }
}

let tokenizer: Tokenizer | undefined;

export function searchWords(text: string): string[] {
  tokenizer ??= new Tokenizer();
  return tokenizer.words(text);
}

/**
 * Free text to an FTS5 query: every word must appear, in any form the stemmer knows
 * ("refunds" finds "refund"). Whole words only: FTS5 reads an exact word's matches
 * lazily, so a page stops after its first matches even when a word is everywhere,
 * while a prefix (word*) makes it collect every match first. Each word is one token
 * (the tokenizer made it), quoted, so FTS5 syntax (AND, NEAR, *, ^, :, -) is just text.
 */
export function toFtsQuery(text: string): string {
  const words = searchWords(text);
  if (words.length === 0) {
    throw validationError('`search` needs at least one word (letters or digits).', {
      hint: 'Search for words that appear in the tickets, e.g. "refund" or "login error"; punctuation alone matches nothing.',
    });
  }
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
}

/** The first rowid of the workspace's range, computed in SQL: scope × 2^40 passes 2^53, past a JS number's exact integers. */
const scopeBase = (ws: unknown) =>
  sql<number>`(SELECT scope * ${sql.lit(SCOPE_SPAN)} FROM search_scopes WHERE workspace_id = ${ws})`;

/** The ticket seq an index rowid stands for. */
const seqOfRowid = (rowid: RawBuilder<number>) => sql<number>`(${rowid} & ${sql.lit(SCOPE_SPAN - 1)})`;


/** Index rows of the workspace, between two seqs, whose title and description or whose comments hold every word. */
function matching(table: 'ticket_search' | 'comment_search', p: MatchParams, select: RawBuilder<number>) {
  const base = scopeBase(p.ws);
  return sql`SELECT ${select} FROM ${sql.table(table)} WHERE ${sql.table(table)} MATCH ${p.match}
    AND rowid BETWEEN ${base} + ${p.fromSeq} AND ${base} + ${p.toSeq}`;
}

/** Full-text search for the list query (EngineSql.search), on the two FTS5 indexes. */
export const fts5Search: EngineSql['search'] = {
  query: toFtsQuery,
  window(afterSeq, sort) {
    const after = sort === 'created' || sort === 'newest' ? afterSeq : undefined;
    return {
      fromSeq: after !== undefined && sort === 'created' ? after + 1 : 0,
      toSeq: after !== undefined && sort === 'newest' ? after - 1 : SCOPE_SPAN - 1,
    };
  },
  /**
   * The matching rowids in rowid (= creation) order, as a subquery `m(rowid)`: both indexes
   * are read in that order and merged, so a page stops after its first matches. SQLite drops
   * the ORDER BY of a subquery that has no LIMIT; `LIMIT -1` (no limit) keeps it.
   */
  inOrder(p, direction) {
    const rowid = sql<number>`rowid`;
    const from = sql<unknown>`(${matching('ticket_search', p, rowid)} UNION ${matching('comment_search', p, rowid)}
      ORDER BY 1 ${sql.raw(direction)} LIMIT -1)`.as('m');
    return { from, seq: seqOfRowid(sql`m.rowid`), order: sql`m.rowid` };
  },
  seqs(p) {
    const seq = seqOfRowid(sql`rowid`);
    return sql<number>`(${matching('ticket_search', p, seq)} UNION ALL ${matching('comment_search', p, seq)})`;
  },
};
