import { sql, type RawBuilder } from 'kysely';

/**
 * Migration 1, middle part: the full-text configuration and the functions that build
 * documents (generated columns of tickets and comments) and queries. Shipped: never edit.
 */
export const SEARCH_V1 = String.raw`
-- Full-text search. Words match in any English form (Snowball's English stemmer, with no
-- stop words, as SQLite's porter keeps every word), accents folded (unaccent). Text goes
-- through ticket_search_text first, in documents and queries alike, so an email, a host or
-- a path is split into its words as SQLite's unicode61 splits it ("example" finds
-- bob@example.com) instead of staying one token.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH DICTIONARY ticket_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION ticket_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION ticket_search
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
  WITH unaccent, ticket_english_stem;
CREATE FUNCTION ticket_search_text(body text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN translate(body, E'@./:\\', '     ');
CREATE FUNCTION ticket_search_document(body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('ticket_search', ticket_search_text(coalesce(body, '')));
-- websearch_to_tsquery never fails on user text: unbalanced quotes and operators are words.
CREATE FUNCTION ticket_search_query(body text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN websearch_to_tsquery('ticket_search', ticket_search_text(coalesce(body, '')));
`;

/**
 * PostgreSQL's full-text filter: true for a ticket of `workspaceId` whose title and
 * description, or one of whose comments, hold what `text` asks for. `text` goes through
 * ticket_search_query (websearch_to_tsquery, above), which never fails on user text;
 * pass SQLite's form of the search (every word quoted, reads.ts) and both engines require
 * every word, with no operators. Both branches are read from their GIN index.
 *
 *   query.where(pgTicketSearch(caller.workspaceId, match))   // `t` is the tickets alias
 */
export function pgTicketSearch(workspaceId: string, text: string, ticketId = 't.id'): RawBuilder<boolean> {
  // PostgreSQL text cannot hold U+0000, and a search for it can match nothing anyway.
  const query = sql`ticket_search_query(${text.replaceAll('\0', '')})`;
  return sql<boolean>`${sql.ref(ticketId)} IN (
    SELECT s.id FROM tickets s WHERE s.workspace_id = ${workspaceId} AND s.search_vector @@ ${query}
    UNION
    SELECT c.ticket_id FROM comments c WHERE c.workspace_id = ${workspaceId} AND c.search_vector @@ ${query})`;
}
