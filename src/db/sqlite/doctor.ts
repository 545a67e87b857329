import type BetterSqlite3 from 'better-sqlite3';
import { parseMigrations } from '../migrate.js';
import { readSchemaSql } from '../../package-root.js';
import type { Finding } from '../finding.js';

/**
 * `ticket-mcp doctor`: checks a database against the invariants the service keeps.
 * Every change writes its events in its own transaction, so the history must
 * replay to exactly the state the tickets hold; a finding means something wrote
 * around the service, or the file was damaged.
 */

const OFFENDERS_SHOWN = 5;

type Db = BetterSqlite3.Database;

/** Runs a query listing offenders (rows with a `key` and a `why`); none means the check passed. */
function offenders(db: Db, check: string, what: string, sql: string): Finding {
  const rows = db.prepare(`${sql} LIMIT ${OFFENDERS_SHOWN + 1}`).all() as { key: string; why: string }[];
  if (rows.length === 0) return { check, ok: true, detail: `every ${what}` };
  const shown = rows.slice(0, OFFENDERS_SHOWN).map((r) => `${r.key} (${r.why})`);
  const more = rows.length > OFFENDERS_SHOWN ? ', and more' : '';
  return { check, ok: false, detail: `${shown.join('; ')}${more}` };
}

const TICKET_KEY = `(SELECT identifier FROM teams WHERE id = t.team_id) || '-' || t.number`;

/** The latest event of a type for each ticket, as a correlated subquery. */
const latest = (type: string, path: string) =>
  `(SELECT json_extract(e.data, '${path}') FROM events e WHERE e.ticket_id = t.id AND e.type = '${type}' ORDER BY e.seq DESC LIMIT 1)`;

export function examine(db: Db): Finding[] {
  const findings: Finding[] = [];
  const integrity = (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
  findings.push({ check: 'integrity', ok: integrity.join() === 'ok', detail: integrity.slice(0, OFFENDERS_SHOWN).join('; ') });
  const foreign = db.prepare('PRAGMA foreign_key_check').all() as { table: string; parent: string }[];
  findings.push({
    check: 'foreign keys',
    ok: foreign.length === 0,
    detail: foreign.length === 0 ? 'every reference resolves' : `${foreign.length} rows point nowhere, e.g. ${foreign[0]!.table} → ${foreign[0]!.parent}`,
  });
  const version = db.pragma('user_version', { simple: true }) as number;
  const latestVersion = parseMigrations(readSchemaSql()).at(-1)!.version;
  findings.push({ check: 'schema version', ok: version === latestVersion, detail: `${version} (this ticket-mcp knows ${latestVersion})` });
  if (!findings.every((f) => f.ok)) return findings;

  findings.push(
    offenders(
      db,
      'versions and events',
      'ticket version has its events, and every event its version',
      `SELECT ${TICKET_KEY} AS key, 'version ' || t.version || ', events for ' || coalesce(group_concat(DISTINCT e.ticket_version), 'none') AS why
       FROM tickets t LEFT JOIN events e ON e.ticket_id = t.id
       GROUP BY t.id
       HAVING count(DISTINCT e.ticket_version) != t.version OR min(e.ticket_version) != 1 OR max(e.ticket_version) != t.version`,
    ),
    offenders(
      db,
      'creation',
      'ticket has one created event, at version 1',
      `SELECT ${TICKET_KEY} AS key, count(e.seq) || ' created events' AS why
       FROM tickets t LEFT JOIN events e ON e.ticket_id = t.id AND e.type = 'created' AND e.ticket_version = 1
       GROUP BY t.id HAVING count(e.seq) != 1`,
    ),
    offenders(
      db,
      'status against history',
      "ticket's status is where its status events lead",
      `SELECT ${TICKET_KEY} AS key, 'status ' || t.status || ', history says ' || coalesce(h, '?') AS why
       FROM (SELECT t.*, coalesce(${latest('status_changed', '$.to')}, ${latest('created', '$.status')}) AS h FROM tickets t) t
       WHERE h IS NOT t.status`,
    ),
    offenders(
      db,
      'assignee against history',
      "ticket's assignee is the one its last assignment event names",
      `SELECT ${TICKET_KEY} AS key, 'assignee ' || coalesce(t.assignee_id, 'none') || ', history says ' || coalesce(h, 'none') AS why
       FROM (SELECT t.*, ${latest('assignment_changed', '$.to.id')} AS h FROM tickets t) t
       WHERE h IS NOT t.assignee_id`,
    ),
    offenders(
      db,
      'deletion against history',
      'deleted ticket has its deleted event, and no other has one',
      `SELECT ${TICKET_KEY} AS key, CASE WHEN t.deleted_at IS NULL THEN 'deleted event, not deleted' ELSE 'deleted, no event' END AS why
       FROM tickets t
       WHERE (t.deleted_at IS NOT NULL) != EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = t.id AND e.type = 'deleted')`,
    ),
    offenders(
      db,
      'comments against history',
      'comment has its comment_added event, and every such event its comment',
      `SELECT ${TICKET_KEY} AS key, c || ' comments, ' || e || ' comment events' AS why
       FROM (SELECT t.*, (SELECT count(*) FROM comments WHERE ticket_id = t.id) AS c,
                    (SELECT count(*) FROM events WHERE ticket_id = t.id AND type = 'comment_added') AS e FROM tickets t) t
       WHERE c != e`,
    ),
    offenders(
      db,
      'tags against history',
      "ticket's tags are those its last tag events left on it (so every tag's count is right)",
      `WITH last AS (
         SELECT ticket_id, json_extract(data, '$.tagId') AS tag_id, type,
                row_number() OVER (PARTITION BY ticket_id, json_extract(data, '$.tagId') ORDER BY seq DESC) AS n
         FROM events WHERE type IN ('tag_added', 'tag_removed')),
       expected AS (SELECT ticket_id, tag_id FROM last WHERE n = 1 AND type = 'tag_added'),
       wrong AS (
         SELECT ticket_id, tag_id, 'tagged without a tag_added event' AS why FROM ticket_tags
         EXCEPT SELECT ticket_id, tag_id, 'tagged without a tag_added event' FROM expected
         UNION ALL
         SELECT ticket_id, tag_id, 'tag_added but not tagged' FROM expected
         EXCEPT SELECT ticket_id, tag_id, 'tag_added but not tagged' FROM ticket_tags)
       SELECT (SELECT identifier FROM teams WHERE id = t.team_id) || '-' || t.number AS key,
              (SELECT name FROM tags WHERE id = wrong.tag_id) || ': ' || wrong.why AS why
       FROM wrong JOIN tickets t ON t.id = wrong.ticket_id`,
    ),
    offenders(
      db,
      'team numbering',
      'team numbers its tickets 1, 2, 3, … with no gap, up to its counter',
      `SELECT tm.identifier AS key, 'counter ' || tm.ticket_counter || ', ' || count(t.seq) || ' tickets, highest ' || coalesce(max(t.number), 0) AS why
       FROM teams tm LEFT JOIN tickets t ON t.team_id = tm.id
       GROUP BY tm.id HAVING count(t.seq) != tm.ticket_counter OR coalesce(max(t.number), 0) != tm.ticket_counter`,
    ),
    offenders(
      db,
      'workspaces',
      'ticket and everything it points to or holds (team, lookups, people, tags, comments, events) share one workspace',
      `SELECT ${TICKET_KEY} AS key, 'its ' || x.what || ' belongs to another workspace' AS why
       FROM (SELECT id AS ticket_id, (SELECT workspace_id FROM teams WHERE id = team_id) AS ws, 'team' AS what FROM tickets
             UNION ALL SELECT id, (SELECT workspace_id FROM priorities WHERE id = priority_id), 'priority' FROM tickets
             UNION ALL SELECT id, (SELECT workspace_id FROM sentiments WHERE id = sentiment_id), 'sentiment' FROM tickets
             UNION ALL SELECT id, (SELECT workspace_id FROM ticket_types WHERE id = type_id), 'type' FROM tickets WHERE type_id IS NOT NULL
             UNION ALL SELECT id, (SELECT workspace_id FROM accounts WHERE id = account_id), 'account' FROM tickets WHERE account_id IS NOT NULL
             UNION ALL SELECT id, (SELECT workspace_id FROM agents WHERE id = assignee_id), 'assignee' FROM tickets WHERE assignee_id IS NOT NULL
             UNION ALL SELECT id, (SELECT workspace_id FROM contacts WHERE id = contact_id), 'requestor' FROM tickets
             UNION ALL SELECT ticket_id, workspace_id, 'event' FROM events
             UNION ALL SELECT ticket_id, (SELECT workspace_id FROM agents WHERE id = actor_id), 'event actor' FROM events
             UNION ALL SELECT ticket_id, workspace_id, 'comment' FROM comments
             UNION ALL SELECT ticket_id, (SELECT workspace_id FROM agents WHERE id = author_id), 'comment author' FROM comments
             UNION ALL SELECT ticket_id, workspace_id, 'tagging' FROM ticket_tags
             UNION ALL SELECT ticket_id, (SELECT workspace_id FROM tags WHERE id = tag_id), 'tag' FROM ticket_tags) x
       JOIN tickets t ON t.id = x.ticket_id WHERE x.ws IS NOT t.workspace_id`,
    ),
    fullTextIndex(db),
  );
  findings.push(fullTextStructure(db));
  return findings;
}

/** The search rowid of a ticket: its workspace's scope × 2^40 + its seq (schema.sql, migration 4). */
const SEARCH_ROWID = 's.scope * 1099511627776 + t.seq';

/**
 * Each ticket's title and description are indexed as they stand, in its workspace's range;
 * each ticket with comments has their words under its rowid, and no other rowid has any.
 * The comment index keeps no text, so its rows are read from its vocabulary. A comment
 * without an ASCII letter or digit may hold no word at all, so only the others must show.
 */
function fullTextIndex(db: Db): Finding {
  db.exec(`CREATE VIRTUAL TABLE temp.doctor_comment_words USING fts5vocab (main, comment_search, 'instance')`);
  try {
    return offenders(
      db,
      'full-text index',
      "ticket's title, description and comments are indexed as they stand, in its workspace's range",
      `WITH indexed AS (SELECT DISTINCT doc FROM temp.doctor_comment_words),
       commented AS (
         SELECT t.*, ${SEARCH_ROWID} AS doc,
                EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id AND c.body GLOB '*[A-Za-z0-9]*') AS has_words
         FROM tickets t JOIN search_scopes s ON s.workspace_id = t.workspace_id
         WHERE EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id))
       SELECT ${TICKET_KEY} AS key,
              CASE WHEN s.scope IS NULL THEN 'its workspace has no search scope'
                   WHEN f.rowid IS NULL THEN 'title and description not indexed'
                   ELSE 'indexed title or description differs' END AS why
       FROM tickets t LEFT JOIN search_scopes s ON s.workspace_id = t.workspace_id
       LEFT JOIN ticket_search f ON f.rowid = ${SEARCH_ROWID}
       WHERE f.rowid IS NULL OR f.title IS NOT t.title OR f.description IS NOT coalesce(t.description, '')
       UNION ALL
       SELECT ${TICKET_KEY}, 'comments not indexed' FROM commented t WHERE has_words AND doc NOT IN indexed
       UNION ALL
       SELECT 'search rowid ' || doc, 'comment words indexed for no ticket with comments' FROM indexed
       WHERE doc NOT IN (SELECT doc FROM commented)`,
    );
  } finally {
    db.exec('DROP TABLE temp.doctor_comment_words');
  }
}

/** FTS5's own check of each index's structure (and, for ticket_search, of its rows against its text). */
function fullTextStructure(db: Db): Finding {
  for (const table of ['ticket_search', 'comment_search']) {
    try {
      db.prepare(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`).run();
    } catch (error) {
      return { check: 'full-text index structure', ok: false, detail: `${table}: ${(error as Error).message}` };
    }
  }
  return { check: 'full-text index structure', ok: true, detail: 'consistent' };
}
