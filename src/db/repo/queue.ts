import { sql } from 'kysely';
import { UNBLOCKING_STATUSES } from '../../domain/queue.js';
import { engineSql, type Db } from '../engine.js';

export interface QueueFilter {
  ws: string;
  /** The teams to take from; undefined for every team of the workspace. */
  teamIds?: readonly string[];
  tagId?: string;
  priorityId?: string;
  /** The claim's clock reading: leases that ended by then have lapsed. */
  at: string;
}

/**
 * The id of the most urgent waiting ticket, locked for the claim (rows another claimer
 * holds are skipped where the engine locks rows): live and not deleted, unassigned or
 * held under a lapsed lease, not blocked by a live blocker; Urgent first (priorities
 * count up from Low), then due (overdue first, none last), then oldest.
 */
export async function pickWaitingTicket(db: Db, f: QueueFilter): Promise<string | undefined> {
  let query = db
    .selectFrom('tickets as t')
    .innerJoin('priorities as p', 'p.id', 't.priority_id')
    .select('t.id')
    .where('t.workspace_id', '=', f.ws)
    .where('t.deleted_at', 'is', null)
    .where('t.status', 'in', ['open', 'pending'])
    .where((eb) => eb.or([eb('t.assignee_id', 'is', null), eb('t.lease_expires_at', '<=', f.at)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('ticket_links as l')
            .innerJoin('tickets as b', 'b.id', 'l.ticket_id')
            .select(sql.lit(1).as('one'))
            .whereRef('l.related_id', '=', 't.id')
            .where('l.type', '=', 'blocks')
            .where('b.deleted_at', 'is', null)
            .where('b.status', 'not in', UNBLOCKING_STATUSES),
        ),
      ),
    );
  if (f.teamIds) query = query.where('t.team_id', 'in', f.teamIds.length > 0 ? f.teamIds : ['']);
  if (f.priorityId) query = query.where('t.priority_id', '=', f.priorityId);
  if (f.tagId) {
    const tagId = f.tagId;
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom('ticket_tags as tt').select(sql.lit(1).as('one')).whereRef('tt.ticket_id', '=', 't.id').where('tt.tag_id', '=', tagId)),
    );
  }
  const ordered = query
    .orderBy('p.position', 'desc')
    .orderBy(sql`t.due_date IS NULL`)
    .orderBy('t.due_date')
    .orderBy('t.created_at')
    .orderBy('t.seq')
    .limit(1);
  const row = await engineSql(db).lockForClaim(ordered, 't').executeTakeFirst();
  return row?.id;
}

/** The data of a ticket's newest assignment event: the claim that set its lease says for how long. */
export const newestAssignmentData = (db: Db, ticketId: string) =>
  db
    .selectFrom('events')
    .select('data')
    .where('ticket_id', '=', ticketId)
    .where('type', '=', 'assignment_changed')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
    .then((row) => (row ? (JSON.parse(row.data) as Record<string, unknown>) : undefined));
