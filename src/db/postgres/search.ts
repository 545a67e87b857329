import { sql, type RawBuilder } from 'kysely';

/**
 * PostgreSQL's full-text filter: true for a ticket of `workspaceId` whose title and
 * description, or one of whose comments, hold what `text` asks for. `text` goes through
 * ticket_search_query (websearch_to_tsquery, schema.ts), which never fails on user text;
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
