import { sql } from 'kysely';
import { prepared } from '../prepared.js';

/**
 * The live tickets (open or pending, not deleted) of a workspace, counted by team, status,
 * and whether each is unassigned, the caller's, or overdue: every queue count in one read.
 */
export const liveTicketCounts = prepared('reads.queueCounts', (db, p: { ws: string; me: string; now: string }) =>
  db
    .selectFrom('tickets as t')
    .select([
      't.team_id',
      't.status',
      sql<number>`case when t.assignee_id is null then 1 else 0 end`.as('unassigned'),
      sql<number>`case when t.assignee_id = ${p.me} then 1 else 0 end`.as('mine'),
      sql<number>`case when t.due_date < ${p.now} then 1 else 0 end`.as('overdue'),
      (eb) => eb.fn.countAll<number>().as('count'),
      // The soonest due date still ahead: when it passes, the overdue count changes without an event.
      sql<string | null>`min(case when t.due_date >= ${p.now} then t.due_date end)`.as('next_due'),
    ])
    .where('t.workspace_id', '=', p.ws)
    .where('t.status', 'in', ['open', 'pending'])
    .where('t.deleted_at', 'is', null)
    .groupBy(['t.team_id', 't.status', sql`3`, sql`4`, sql`5`]),
);
