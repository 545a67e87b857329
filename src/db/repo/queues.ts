import { sql } from 'kysely';
import { prepared } from '../prepared.js';

/**
 * The live tickets (open or pending, not deleted) of a workspace, counted per team and
 * status, with how many of each are unassigned, the caller's, or overdue: every queue
 * count in one read of the tickets_live index alone (migration 7), in its order. The
 * statuses are written out, not bound, so SQLite sees the query implies the index's WHERE.
 */
export const liveTicketCounts = prepared('reads.queueCounts', (db, p: { ws: string; me: string; now: string }) =>
  db
    .selectFrom('tickets as t')
    .select([
      't.team_id',
      't.status',
      (eb) => eb.fn.countAll<number>().as('count'),
      sql<number>`sum(case when t.assignee_id is null then 1 else 0 end)`.as('unassigned'),
      sql<number>`sum(case when t.assignee_id = ${p.me} then 1 else 0 end)`.as('mine'),
      sql<number>`sum(case when t.due_date < ${p.now} then 1 else 0 end)`.as('overdue'),
      // The soonest due date still ahead: when it passes, the overdue count changes without an event.
      sql<string | null>`min(case when t.due_date >= ${p.now} then t.due_date end)`.as('next_due'),
    ])
    .where('t.workspace_id', '=', p.ws)
    .where('t.deleted_at', 'is', null)
    .where(sql<boolean>`t.status in ('open', 'pending')`)
    .groupBy(['t.team_id', 't.status']),
);
