import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import { unavailable } from '../../errors.js';
import { registerEngineSql, registerStorageFaults, type EngineSql, type MatchParams } from '../engine.js';
import { fts5Search, toFtsQuery } from '../sqlite/search.js';
import { isLostConnection, pgDomainError } from './retry.js';

/**
 * Seqs of the workspace's tickets, between two seqs, whose title and description hold
 * every word of the query, or whose comments do, across several comments too (as SQLite's
 * comment index, one document per ticket): the comments holding any of the words are read
 * from the GIN index, and their vectors, joined per ticket, must hold them all. The query
 * is SQLite's form of the search (every word quoted), which websearch_to_tsquery reads as
 * every word required.
 */
function matchingSeqs(p: MatchParams, union: 'UNION' | 'UNION ALL'): RawBuilder<number> {
  const all = sql`ticket_search_query(${p.match})`;
  const any = sql`replace(ticket_search_query(${p.match})::text, ' & ', ' | ')::tsquery`;
  return sql<number>`SELECT s.seq FROM tickets s WHERE s.workspace_id = ${p.ws} AND s.search_vector @@ ${all}
      AND s.seq BETWEEN ${p.fromSeq} AND ${p.toSeq}
    ${sql.raw(union)}
    SELECT o.seq FROM tickets o WHERE o.seq BETWEEN ${p.fromSeq} AND ${p.toSeq} AND o.id IN (
      SELECT c.ticket_id FROM comments c WHERE c.workspace_id = ${p.ws} AND c.search_vector @@ ${any}
      GROUP BY c.ticket_id HAVING string_agg(c.search_vector::text, ' ')::tsvector @@ ${all})`;
}

const tsvectorSearch: EngineSql['search'] = {
  // One splitting of user text for both engines: the same words are required, and no text is an error.
  query: toFtsQuery,
  window: fts5Search.window,
  inOrder(p) {
    // The planner orders the merged matches itself; the outer ORDER BY m.seq gives the direction.
    return { from: sql<unknown>`(${matchingSeqs(p, 'UNION')})`.as('m'), seq: sql<number>`m.seq`, order: sql`m.seq` };
  },
  seqs: (p) => sql<number>`(${matchingSeqs(p, 'UNION ALL')})`,
};

/**
 * PostgreSQL's pieces of the repositories' SQL: json_agg aggregates (coalesced to '[]'
 * where a ticket has no rows, as SQLite's json_group_array gives), a row lock on the ticket
 * alone (not its team, whose counter row every create updates), and tsvector search.
 */
export const postgresSql: EngineSql = {
  tagsJson: (ticketId) =>
    sql<string>`(SELECT coalesce(json_agg(json_build_object('id', g.id, 'name', g.name, 'color', g.color) ORDER BY g.name_key), '[]')
        FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ${ticketId})`,
  tagNamesJson: (ticketId) =>
    sql<string>`(SELECT coalesce(json_agg(g.name ORDER BY g.name_key), '[]') FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
        WHERE tt.ticket_id = ${ticketId})`,
  newestCommentsJson: (ticketId, shown, textBudget) =>
    sql<string>`(SELECT coalesce(json_agg(json_build_object('id', n.id, 'author', n.author, 'authorId', n.author_id,
        'body', substr(n.body, 1, ${sql.lit(textBudget)}), 'internal', n.is_internal = 1,
        'createdAt', n.created_at, 'bytes', octet_length(n.body)) ORDER BY n.created_at, n.rowid), '[]')
      FROM (SELECT cm.id, (SELECT name FROM agents WHERE id = cm.author_id) AS author, cm.author_id, cm.body, cm.is_internal,
              cm.created_at, cm.rowid
            FROM comments cm WHERE cm.ticket_id = ${ticketId} ORDER BY cm.created_at DESC, cm.rowid DESC LIMIT ${sql.lit(shown)}) n)`,
  lockForChange: (query) => query.forUpdate('tickets' as never) as typeof query,
  // OF the ticket alone: a lock on the joined priority row would make every claimer skip it.
  lockForClaim: (query, table) => query.forUpdate(table as never).skipLocked() as typeof query,
  search: tsvectorSearch,
};

registerEngineSql(PostgresAdapter, postgresSql);
registerStorageFaults((error) => {
  const fault = pgDomainError(error);
  if (fault || !isLostConnection(error)) return fault;
  // A single read outside a transaction (the engine's reader) is not retried: say what to do.
  return unavailable('Cannot reach the PostgreSQL server: check that it is running, then retry.');
});
