import { sql, SqliteAdapter } from 'kysely';
import { registerEngineSql, registerStorageFaults, type EngineSql } from '../engine.js';
import { storageFault } from './faults.js';
import { fts5Search } from './search.js';

/**
 * SQLite's pieces of the repositories' SQL: JSON1 aggregates, FTS5 search, and no row locks
 * (BEGIN IMMEDIATE holds the whole database); registered, with its storage faults, on load.
 */
export const sqliteSql: EngineSql = {
  tagsJson: (ticketId) =>
    sql<string>`(SELECT json_group_array(json_object('id', g.id, 'name', g.name, 'color', g.color) ORDER BY g.name_key)
        FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ${ticketId})`,
  tagNamesJson: (ticketId) =>
    sql<string>`(SELECT json_group_array(g.name ORDER BY g.name_key) FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
        WHERE tt.ticket_id = ${ticketId})`,
  // Its LIMIT and cut are literals: one statement shape, kept prepared (see stableLimit).
  newestCommentsJson: (ticketId, shown, textBudget) =>
    sql<string>`(SELECT json_group_array(json_object('id', n.id, 'author', n.author, 'authorId', n.author_id,
        'body', substr(n.body, 1, ${sql.lit(textBudget)}), 'internal', json(iif(n.is_internal, 'true', 'false')),
        'createdAt', n.created_at, 'bytes', octet_length(n.body)) ORDER BY n.created_at, n.seq)
      FROM (SELECT cm.id, (SELECT name FROM agents WHERE id = cm.author_id) AS author, cm.author_id, cm.body, cm.is_internal,
              cm.created_at, cm.rowid AS seq
            FROM comments cm WHERE cm.ticket_id = ${ticketId} ORDER BY cm.created_at DESC, cm.rowid DESC LIMIT ${sql.lit(shown)}) n)`,
  lockForChange: (query) => query,
  lockForClaim: (query) => query,
  search: fts5Search,
};

registerEngineSql(SqliteAdapter, sqliteSql);
registerStorageFaults((error) => storageFault(error));
