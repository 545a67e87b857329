import { sql } from 'kysely';
import { engineSql, type Db, type MatchParams } from '../engine.js';
import { runPrepared, stableLimit } from '../prepared.js';

/**
 * updated: latest activity first; created: oldest first (a queue's order); newest: newest
 * created first; priority: most urgent first, then oldest; due: soonest due first, then
 * oldest, tickets without a due date last.
 */
export const TICKET_SORTS = ['updated', 'created', 'newest', 'priority', 'due'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

/** Which optional parts a list query has: everything that changes its SQL, and nothing else. */
export interface ListShape {
  statuses: number;
  assignee?: 'none' | 'one';
  team: boolean;
  /** A rare tag drives the query from its own index; a common one is checked on each ticket read in order. */
  tag?: 'rare' | 'common';
  priority: boolean;
  requestor: boolean;
  chat: boolean;
  due: boolean;
  /** Due before `overdueAt` and still open or pending. */
  overdue: boolean;
  includeDeleted: boolean;
  search: boolean;
  /** One ticket, named by its key in `search`. */
  ticket?: boolean;
  sort: TicketSort;
  after: boolean;
  /** Sorted by due date, after a ticket with none: only undated tickets remain. */
  afterUndated?: boolean;
}

/** Sorts read in creation order, which the full-text index gives directly. */
const inCreationOrder = (sort: TicketSort) => sort === 'created' || sort === 'newest';

/**
 * A search page in creation order reads the index's matches (`m`) first, each ticket fetched
 * by its seq. SQLite streams a subquery (a co-routine) only when it comes first in FROM;
 * anywhere else it collects every match before the first row.
 */
function ticketsFrom(db: Db, match: MatchParams, shape: ListShape) {
  const tickets = db.selectFrom('tickets as t');
  if (!shape.search || !inCreationOrder(shape.sort)) return { query: tickets, order: undefined };
  const matches = engineSql(db).search.inOrder(match, shape.sort === 'newest' ? 'desc' : 'asc');
  // The alias m is only read through raw SQL (the join and the order), so the type is that of tickets alone.
  const query = db
    .selectFrom(matches.from)
    .innerJoin('tickets as t', (join) => join.on(sql<boolean>`t.seq = ${matches.seq}`)) as unknown as typeof tickets;
  return { query, order: matches.order };
}

function listQuery(db: Db, p: Record<string, unknown>, shape: ListShape) {
  // A search reads only the caller's workspace from the index, whatever other workspaces hold.
  const match: MatchParams = { ws: p.ws, match: p.match, fromSeq: p.fromSeq, toSeq: p.toSeq };
  const from = ticketsFrom(db, match, shape);
  let query = from.query
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .innerJoin('priorities as pr', 'pr.id', 't.priority_id')
    .leftJoin('agents as a', 'a.id', 't.assignee_id')
    .select([
      't.seq',
      't.number',
      'tm.identifier as team_identifier',
      't.title',
      't.status',
      't.priority_id',
      'pr.position as priority_rank',
      'a.name as assignee',
      'a.email as assignee_email',
      't.due_date',
      't.created_at',
      't.updated_at',
      't.deleted_at',
      engineSql(db).tagNamesJson(sql.ref('t.id')).as('tags_json'),
    ])
    .where('t.workspace_id', '=', p.ws as string);
  if (shape.statuses > 0) {
    query = query.where('t.status', 'in', Array.from({ length: shape.statuses }, (_, i) => p[`status${i}`] as string));
  }
  if (shape.assignee === 'none') query = query.where('t.assignee_id', 'is', null);
  if (shape.assignee === 'one') query = query.where('t.assignee_id', '=', p.assignee as string);
  if (shape.team) query = query.where('t.team_id', '=', p.team as string);
  if (shape.tag === 'rare') {
    query = query.where('t.id', 'in', (eb) => eb.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', p.tag as string));
  }
  if (shape.tag === 'common') {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('ticket_tags as tt').select('tt.tag_id').whereRef('tt.ticket_id', '=', 't.id').where('tt.tag_id', '=', p.tag as string)),
    );
  }
  if (shape.priority) query = query.where('t.priority_id', '=', p.priority as string);
  if (shape.requestor) query = query.where('t.contact_id', '=', p.contact as string);
  if (shape.chat) query = query.where('t.chat_id', '=', p.chat as string);
  if (shape.due) query = query.where('t.due_date', '<', p.due as string);
  if (shape.overdue) query = query.where('t.due_date', '<', p.overdueAt as string).where('t.status', 'in', ['open', 'pending']);
  if (shape.ticket) query = query.where('t.id', '=', p.ticket as string);
  if (!shape.includeDeleted) query = query.where('t.deleted_at', 'is', null);
  const limit = stableLimit(p.limit as number);
  if (!inCreationOrder(shape.sort) && shape.search) query = query.where('t.seq', 'in', engineSql(db).search.seqs(match));
  if (shape.sort === 'updated') {
    if (shape.after) query = query.where(sql<boolean>`(t.updated_at, t.seq) < (${p.afterAt}, ${p.afterSeq})`);
    return query.orderBy('t.updated_at', 'desc').orderBy('t.seq', 'desc').limit(limit);
  }
  if (shape.sort === 'priority') {
    if (shape.after) query = query.where(sql<boolean>`(pr.position < ${p.afterRank} OR (pr.position = ${p.afterRank} AND t.seq > ${p.afterSeq}))`);
    return query.orderBy('pr.position', 'desc').orderBy('t.seq', 'asc').limit(limit);
  }
  if (shape.sort === 'due') {
    if (shape.afterUndated) query = query.where('t.due_date', 'is', null).where('t.seq', '>', p.afterSeq as number);
    else if (shape.after) {
      query = query.where(sql<boolean>`(t.due_date > ${p.afterDue} OR (t.due_date = ${p.afterDue} AND t.seq > ${p.afterSeq}) OR t.due_date IS NULL)`);
    }
    // Undated last on both engines (SQLite puts nulls first in ascending order, PostgreSQL last).
    return query.orderBy(sql`t.due_date IS NULL`).orderBy('t.due_date', 'asc').orderBy('t.seq', 'asc').limit(limit);
  }
  const direction = shape.sort === 'newest' ? 'desc' : 'asc';
  if (from.order) {
    // The index returns its matches in creation order, so a search page is read from it
    // directly and stops after `limit` matches, however many tickets match in all.
    return query.orderBy(from.order, direction).limit(limit);
  }
  if (shape.after) query = query.where('t.seq', direction === 'desc' ? '<' : '>', p.afterSeq as number);
  return query.orderBy('t.seq', direction).limit(limit);
}

/** One page of a ticket list: one statement, compiled once per shape, its values bound by name. */
export const ticketListRows = (db: Db, shape: ListShape, params: Record<string, unknown>) =>
  runPrepared(db, `reads.list:${JSON.stringify(shape)}`, params, (db, p) => listQuery(db, p, shape));
