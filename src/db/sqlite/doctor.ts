import type BetterSqlite3 from 'better-sqlite3';
import { parseMigrations } from '../migrate.js';
import { readSchemaSql } from '../../package-root.js';
import { historyChecks, offendersFinding, OFFENDERS_SHOWN, TICKET_KEY, type DoctorDialect } from '../doctor-checks.js';
import type { Finding } from '../finding.js';

/**
 * `ticket-mcp doctor`: checks a database against the invariants the service keeps.
 * Every change writes its events in its own transaction, so the history must
 * replay to exactly the state the tickets hold; a finding means something wrote
 * around the service, or the file was damaged.
 */

type Db = BetterSqlite3.Database;

const SQLITE: DoctorDialect = {
  json: (column, path) => `json_extract(${column}, '$.${path.join('.')}')`,
  distinctList: (expr) => `group_concat(DISTINCT ${expr})`,
};

/** Runs a query listing offenders (rows with a `key` and a `why`); none means the check passed. */
const offenders = (db: Db, check: string, what: string, sql: string): Finding =>
  offendersFinding(check, what, db.prepare(`${sql} LIMIT ${OFFENDERS_SHOWN + 1}`).all() as { key: string; why: string }[]);

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
    ...historyChecks(SQLITE).map(([check, what, sql]) => offenders(db, check, what, sql)),
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
