import type { Finding } from './finding.js';

/**
 * The invariants both engines' doctors check, as SQL that lists offenders (rows with a
 * `key` and a `why`). Every change writes its events in its own transaction, so the
 * history must replay to exactly the state the tickets hold. Only two pieces of SQL
 * differ between the engines; each doctor passes its own.
 */
export interface DoctorDialect {
  /** The text at `path` inside a JSON text column (`json_extract` on SQLite, `#>>` on PostgreSQL). */
  json(column: string, path: string[]): string;
  /** The distinct values of `expr` in a group, as one comma-separated text. */
  distinctList(expr: string): string;
}

export const OFFENDERS_SHOWN = 5;

/** A check's finding from the first OFFENDERS_SHOWN + 1 offenders its query listed. */
export function offendersFinding(check: string, what: string, rows: { key: string; why: string }[]): Finding {
  if (rows.length === 0) return { check, ok: true, detail: `every ${what}` };
  const shown = rows.slice(0, OFFENDERS_SHOWN).map((r) => `${r.key} (${r.why})`);
  return { check, ok: false, detail: `${shown.join('; ')}${rows.length > OFFENDERS_SHOWN ? ', and more' : ''}` };
}

export const TICKET_KEY = `(SELECT identifier FROM teams WHERE id = t.team_id) || '-' || t.number`;

/** [check, what every row satisfies, the query listing offenders]: the history against the tickets, and team numbering. */
export function historyChecks(d: DoctorDialect): [string, string, string][] {
  /** The latest event of a type for each ticket, as a correlated subquery. */
  const latest = (type: string, path: string[]) =>
    `(SELECT ${d.json('e.data', path)} FROM events e WHERE e.ticket_id = t.id AND e.type = '${type}' ORDER BY e.seq DESC LIMIT 1)`;
  const tagOf = d.json('data', ['tagId']);
  return [
    [
      'versions and events',
      'ticket version has its events, and every event its version',
      `SELECT ${TICKET_KEY} AS key, 'version ' || t.version || ', events for ' || coalesce(${d.distinctList('e.ticket_version')}, 'none') AS why
       FROM tickets t LEFT JOIN events e ON e.ticket_id = t.id
       GROUP BY t.seq
       HAVING count(DISTINCT e.ticket_version) <> t.version OR min(e.ticket_version) <> 1 OR max(e.ticket_version) <> t.version`,
    ],
    [
      'creation',
      'ticket has one created event, at version 1',
      `SELECT ${TICKET_KEY} AS key, count(e.seq) || ' created events' AS why
       FROM tickets t LEFT JOIN events e ON e.ticket_id = t.id AND e.type = 'created' AND e.ticket_version = 1
       GROUP BY t.seq HAVING count(e.seq) <> 1`,
    ],
    [
      'status against history',
      "ticket's status is where its status events lead",
      `SELECT ${TICKET_KEY} AS key, 'status ' || t.status || ', history says ' || coalesce(h, '?') AS why
       FROM (SELECT t.*, coalesce(${latest('status_changed', ['to'])}, ${latest('created', ['status'])}) AS h FROM tickets t) t
       WHERE h IS DISTINCT FROM t.status`,
    ],
    [
      'assignee against history',
      "ticket's assignee is the one its last assignment event names (nobody after a lapsed lease)",
      `SELECT ${TICKET_KEY} AS key, 'assignee ' || coalesce(t.assignee_id, 'none') || ', history says ' || coalesce(h, 'none') AS why
       FROM (SELECT t.*, (SELECT CASE WHEN e.type = 'lease_expired' THEN NULL ELSE ${d.json('e.data', ['to', 'id'])} END FROM events e
               WHERE e.ticket_id = t.id AND e.type IN ('assignment_changed', 'lease_expired') ORDER BY e.seq DESC LIMIT 1) AS h
             FROM tickets t) t
       WHERE h IS DISTINCT FROM t.assignee_id`,
    ],
    [
      'deletion against history',
      'ticket is deleted exactly when its latest deleted or restored event is a deletion',
      `SELECT ${TICKET_KEY} AS key, CASE WHEN t.deleted_at IS NULL THEN 'deleted by its history, not deleted' ELSE 'deleted, not by its history' END AS why
       FROM tickets t
       WHERE (t.deleted_at IS NOT NULL) <> coalesce((SELECT e.type = 'deleted' FROM events e
         WHERE e.ticket_id = t.id AND e.type IN ('deleted', 'restored') ORDER BY e.seq DESC LIMIT 1), false)`,
    ],
    [
      'comments against history',
      'comment has its comment_added event, and every such event its comment',
      `SELECT ${TICKET_KEY} AS key, c || ' comments, ' || e || ' comment events' AS why
       FROM (SELECT t.*, (SELECT count(*) FROM comments WHERE ticket_id = t.id) AS c,
                    (SELECT count(*) FROM events WHERE ticket_id = t.id AND type = 'comment_added') AS e FROM tickets t) t
       WHERE c <> e`,
    ],
    [
      'tags against history',
      "ticket's tags are those its last tag events left on it (so every tag's count is right)",
      `WITH last AS (
         SELECT ticket_id, ${tagOf} AS tag_id, type,
                row_number() OVER (PARTITION BY ticket_id, ${tagOf} ORDER BY seq DESC) AS n
         FROM events WHERE type IN ('tag_added', 'tag_removed')),
       expected AS (SELECT ticket_id, tag_id FROM last WHERE n = 1 AND type = 'tag_added'),
       wrong AS (
         SELECT ticket_id, tag_id, 'tagged without a tag_added event' AS why FROM ticket_tags
         EXCEPT SELECT ticket_id, tag_id, 'tagged without a tag_added event' FROM expected
         UNION ALL
         SELECT ticket_id, tag_id, 'tag_added but not tagged' FROM expected
         EXCEPT SELECT ticket_id, tag_id, 'tag_added but not tagged' FROM ticket_tags)
       SELECT ${TICKET_KEY} AS key, (SELECT name FROM tags WHERE id = wrong.tag_id) || ': ' || wrong.why AS why
       FROM wrong JOIN tickets t ON t.id = wrong.ticket_id`,
    ],
    [
      'team numbering',
      "team's keys (its tickets' and those tickets that moved away had) number 1, 2, 3, … with no gap, up to its counter",
      `SELECT tm.identifier AS key, 'counter ' || tm.ticket_counter || ', ' || count(k.number) || ' keys, highest ' || coalesce(max(k.number), 0) AS why
       FROM teams tm LEFT JOIN (SELECT team_id, number FROM tickets UNION ALL SELECT team_id, number FROM former_ticket_keys) k ON k.team_id = tm.id
       GROUP BY tm.id HAVING count(k.number) <> tm.ticket_counter OR coalesce(max(k.number), 0) <> tm.ticket_counter`,
    ],
  ];
}
