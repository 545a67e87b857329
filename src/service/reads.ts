import { sql } from 'kysely';
import { prepared, runPrepared, stableLimit } from '../db/prepared.js';
import type { Db } from '../db/open.js';
import { readTransaction } from '../db/transaction.js';
import { normalizeInstant, type Caller } from './context.js';
import { decodeCursor, encodeCursor, paginate } from './cursor.js';
import type { StatusName } from './lifecycle.js';
import { findAgent, findLookup, findStatus, findTag, findTeam, findTicket, parseTicketKey, ticketNotFound } from './refs.js';
import { readTicketWithComments, readTicketWithCommentsByKey, ticketKey, type Result, type ServiceDeps } from './store.js';
import { matchesInOrder, matchingSeqs, SCOPE_SPAN, seqOfRowid, toFtsQuery, type MatchParams } from './search.js';
import { fold, startsWithText } from './text.js';
import type { HistoryPage, TicketEvent, TicketPage, TicketWithComments } from './views.js';

export const DEFAULT_PAGE_SIZE = 20;

export interface GetTicketInput {
  id: string;
}

export async function getTicket(deps: ServiceDeps, caller: Caller, input: GetTicketInput): Promise<Result<TicketWithComments>> {
  // One statement for a key; an id or a bare number is resolved first (a ticket's id and key never change, so no transaction).
  const key = parseTicketKey(input.id);
  const ticket = key
    ? await readTicketWithCommentsByKey(deps, deps.reader, caller.workspaceId, key)
    : await readTicketWithComments(deps, deps.reader, (await findTicket(deps.reader, caller.workspaceId, input.id)).id);
  if (!ticket) throw ticketNotFound(input.id);
  const { commentCount: count, comments } = ticket;
  const shown = count > comments.length ? ` (newest ${comments.length} of ${count} comments shown)` : '';
  const deleted = ticket.deletedAt ? ' It is deleted.' : '';
  return {
    data: ticket,
    message: `Ticket ${ticket.ticketIdentifier}: ${ticket.title} [${ticket.status}]${shown}.${deleted}`,
  };
}

export const TICKET_SORTS = ['updated', 'newest', 'oldest'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export interface ListTicketsInput {
  status?: string | string[];
  assignee?: string;
  team?: string;
  tag?: string;
  priority?: string;
  requestor?: string;
  chatId?: string;
  dueBefore?: string;
  includeDeleted?: boolean;
  search?: string;
  sort?: TicketSort;
  pageSize?: number;
  cursor?: string;
}

/** Which optional parts a list query has: everything that changes its SQL, and nothing else. */
interface ListShape {
  statuses: number;
  assignee?: 'none' | 'one';
  team: boolean;
  /** A rare tag drives the query from its own index; a common one is checked on each ticket read in order. */
  tag?: 'rare' | 'common';
  priority: boolean;
  requestor: boolean;
  chat: boolean;
  due: boolean;
  includeDeleted: boolean;
  search: boolean;
  sort: TicketSort;
  after: boolean;
}

/**
 * A search page in creation order reads the indexes' matches (`m`) first, each ticket fetched
 * by its seq. SQLite streams a subquery (a co-routine) only when it comes first in FROM;
 * anywhere else it collects every match before the first row.
 */
function ticketsFrom(db: Db, match: MatchParams, shape: ListShape) {
  const tickets = db.selectFrom('tickets as t');
  if (!shape.search || shape.sort === 'updated') return tickets;
  const direction = shape.sort === 'newest' ? 'desc' : 'asc';
  // The alias m is only read through raw SQL (the join and the order), so the type is that of tickets alone.
  return db
    .selectFrom(matchesInOrder(match, direction))
    .innerJoin('tickets as t', (join) => join.on(sql<boolean>`t.seq = ${seqOfRowid(sql`m.rowid`)}`)) as unknown as typeof tickets;
}

function listQuery(db: Db, p: Record<string, unknown>, shape: ListShape) {
  // A search reads only the caller's workspace from the indexes (its rowid range), whatever other workspaces hold.
  const match: MatchParams = { ws: p.ws, match: p.match, fromSeq: p.fromSeq, toSeq: p.toSeq };
  let query = ticketsFrom(db, match, shape)
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .leftJoin('agents as a', 'a.id', 't.assignee_id')
    .select([
      't.seq',
      't.number',
      'tm.identifier as team_identifier',
      't.title',
      't.status',
      't.priority_id',
      'a.name as assignee',
      't.due_date',
      't.updated_at',
      't.deleted_at',
      sql<string>`(SELECT json_group_array(g.name ORDER BY g.name_key) FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
        WHERE tt.ticket_id = t.id)`.as('tags_json'),
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
  if (!shape.includeDeleted) query = query.where('t.deleted_at', 'is', null);
  if (shape.sort === 'updated') {
    if (shape.search) query = query.where('t.seq', 'in', matchingSeqs(match));
    if (shape.after) query = query.where(sql<boolean>`(t.updated_at, t.seq) < (${p.afterAt}, ${p.afterSeq})`);
    return query.orderBy('t.updated_at', 'desc').orderBy('t.seq', 'desc').limit(stableLimit(p.limit as number));
  }
  const direction = shape.sort === 'newest' ? 'desc' : 'asc';
  if (shape.search) {
    // The indexes return their matches in rowid (= creation) order, so a search page is read from
    // them directly and stops after `limit` matches, however many tickets match in all.
    return query.orderBy(sql`m.rowid`, direction).limit(stableLimit(p.limit as number));
  }
  if (shape.after) query = query.where('t.seq', direction === 'desc' ? '<' : '>', p.afterSeq as number);
  return query.orderBy('t.seq', direction).limit(stableLimit(p.limit as number));
}

/**
 * A tag on fewer tickets than this is rare: reading its tickets and sorting them is
 * cheap. On more, reading tickets in page order and keeping the tagged ones finds a
 * page sooner. Counting stops at the threshold, so deciding costs little either way.
 */
const COMMON_TAG = 2_000;
const taggedAtLeast = prepared('reads.taggedAtLeast', (db, p: { tag: string; limit: number }) =>
  db.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', p.tag).limit(stableLimit(p.limit)),
);

const contactByEmail = prepared('reads.contactByEmail', (db, p: { ws: string; key: string }) =>
  db.selectFrom('contacts').select('id').where('workspace_id', '=', p.ws).where('email_key', '=', p.key),
);

export async function listTickets(deps: ServiceDeps, caller: Caller, input: ListTicketsInput): Promise<Result<TicketPage>> {
  const ws = caller.workspaceId;
  const db = deps.reader;
  // Search results come newest first unless asked otherwise: the full-text index gives that order cheaply.
  const sort = input.sort ?? (input.search === undefined ? 'updated' : 'newest');
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const lookups = await deps.lookups.of(db, ws);
  // Names become ids first; then the page is one statement, so no transaction is needed.
  const params: Record<string, unknown> = { ws };
  const filters: string[] = [];
  const statuses = input.status === undefined ? [] : (Array.isArray(input.status) ? input.status : [input.status]).map((ref) => findStatus(lookups, ref, 'status'));
  statuses.forEach((status, i) => (params[`status${i}`] = status));
  if (statuses.length > 0) filters.push(statuses.join('/'));
  let assignee: ListShape['assignee'];
  if (input.assignee !== undefined) {
    const who = input.assignee.trim().toLowerCase();
    assignee = who === 'none' || who === 'unassigned' ? 'none' : 'one';
    if (assignee === 'one') params.assignee = who === 'me' ? caller.agentId : (await findAgent(db, ws, input.assignee)).id;
    filters.push(assignee === 'none' ? 'unassigned' : `assigned to ${who === 'me' ? 'you' : input.assignee}`);
  }
  if (input.team !== undefined) {
    const team = await findTeam(db, ws, input.team);
    params.team = team.id;
    filters.push(`team ${team.identifier}`);
  }
  let tagShape: ListShape['tag'];
  if (input.tag !== undefined) {
    const tag = await findTag(db, ws, input.tag);
    params.tag = tag.id;
    tagShape = (await taggedAtLeast(db, { tag: tag.id, limit: COMMON_TAG })).length < COMMON_TAG ? 'rare' : 'common';
    filters.push(`tagged ${tag.name}`);
  }
  if (input.priority !== undefined) {
    const priority = findLookup(lookups.priorities, 'priority', input.priority, 'priority');
    params.priority = priority.id;
    filters.push(`priority ${priority.name}`);
  }
  if (input.requestor !== undefined) {
    // Resolved first, so the filter is an equality the contact index serves.
    params.contact = (await contactByEmail(db, { ws, key: fold(input.requestor) }))[0]?.id ?? '';
    filters.push(`from ${input.requestor}`);
  }
  if (input.chatId !== undefined) {
    params.chat = input.chatId;
    filters.push(`chat ${input.chatId}`);
  }
  if (input.dueBefore !== undefined) {
    params.due = normalizeInstant(input.dueBefore);
    filters.push(`due before ${input.dueBefore}`);
  }
  if (input.search !== undefined) {
    params.match = toFtsQuery(input.search);
    filters.push(`matching "${input.search}"`);
  }
  // A cursor continues the list it came from: the same sort and the same filters, resolved.
  const listed = { ...params, unassigned: assignee === 'none', includeDeleted: input.includeDeleted === true };
  const after = input.cursor === undefined ? undefined : decodeCursor(sort, input.cursor, sort === 'updated' ? ['instant', 'seq'] : ['seq'], listed);
  params.limit = pageSize + 1;
  if (after) {
    params.afterAt = after[0];
    params.afterSeq = after.at(-1);
  }
  if (input.search !== undefined) {
    // The seqs a search page may hold: all, or those past the cursor in the page's direction.
    const afterSeq = sort === 'updated' ? undefined : (params.afterSeq as number | undefined);
    params.fromSeq = afterSeq !== undefined && sort === 'oldest' ? afterSeq + 1 : 0;
    params.toSeq = afterSeq !== undefined && sort === 'newest' ? afterSeq - 1 : SCOPE_SPAN - 1;
  }
  const shape: ListShape = {
    statuses: statuses.length,
    ...(assignee && { assignee }),
    team: input.team !== undefined,
    ...(tagShape && { tag: tagShape }),
    priority: input.priority !== undefined,
    requestor: input.requestor !== undefined,
    chat: input.chatId !== undefined,
    due: input.dueBefore !== undefined,
    includeDeleted: input.includeDeleted === true,
    search: input.search !== undefined,
    sort,
    after: after !== undefined,
  };
  const rows = await runPrepared(db, `reads.list:${JSON.stringify(shape)}`, params, (db, p) => listQuery(db, p, shape));
  const { page, nextCursor } = paginate(rows, pageSize, (last) =>
    encodeCursor(sort, sort === 'updated' ? [last.updated_at, last.seq] : [last.seq], listed),
  );
  const tickets = page.map((r) => ({
    key: ticketKey(r),
    title: r.title,
    status: r.status as StatusName,
    priority: lookups.priorities.find((p) => p.id === r.priority_id)!.name,
    assignee: r.assignee,
    team: r.team_identifier,
    tags: JSON.parse(r.tags_json) as string[],
    dueDate: r.due_date,
    updatedAt: r.updated_at,
    ...(r.deleted_at && { deleted: true as const }),
  }));
  const scope = filters.length > 0 ? ` (${filters.join(', ')})` : '';
  const more = nextCursor ? '; more with nextCursor' : '';
  return {
    data: { tickets, nextCursor },
    message: `${tickets.length} ticket${tickets.length === 1 ? '' : 's'}${scope}${more}.`,
  };
}

export interface GetTicketHistoryInput {
  id: string;
  pageSize?: number;
  cursor?: string;
}

export const DEFAULT_HISTORY_PAGE_SIZE = 50;

/** Event seqs start at 1, so "after 0" is the first page. */
const historyRows = prepared('reads.history', (db, p: { ticket: string; after: number; limit: number }) =>
  db
    .selectFrom('events as e')
    .innerJoin('agents as a', 'a.id', 'e.actor_id')
    .select(['e.seq', 'e.type', 'a.name as actor', 'e.actor_id', 'e.created_at', 'e.ticket_version', 'e.data'])
    .where('e.ticket_id', '=', p.ticket)
    .where('e.seq', '>', p.after)
    .orderBy('e.seq', 'asc')
    .limit(stableLimit(p.limit)),
);

export async function getTicketHistory(
  deps: ServiceDeps,
  caller: Caller,
  input: GetTicketHistoryInput,
): Promise<Result<HistoryPage>> {
  const pageSize = input.pageSize ?? DEFAULT_HISTORY_PAGE_SIZE;
  return readTransaction(deps.reader, async (db) => {
    const ticket = await findTicket(db, caller.workspaceId, input.id);
    // A history cursor belongs to its ticket: another ticket's would skip events silently.
    const after = input.cursor === undefined ? undefined : decodeCursor('history', input.cursor, ['seq'], ticket.id);
    const rows = await historyRows(db, { ticket: ticket.id, after: after ? (after[0] as number) : 0, limit: pageSize + 1 });
    const { page, nextCursor } = paginate(rows, pageSize, (last) => encodeCursor('history', [last.seq], ticket.id));
    const events: TicketEvent[] = page.map((e) => ({
      id: e.seq,
      type: e.type,
      actor: e.actor,
      actorId: e.actor_id,
      at: e.created_at,
      version: e.ticket_version,
      details: JSON.parse(e.data) as Record<string, unknown>,
    }));
    const key = ticketKey(ticket);
    const more = nextCursor ? '; more with nextCursor' : '';
    return {
      data: { ticket: key, events, nextCursor },
      message: `${events.length} event${events.length === 1 ? '' : 's'} of ticket ${key}, oldest first${more}.`,
    };
  });
}

const COMPLETIONS = 20;

/** Ticket keys that start with what was typed (`SU`, `SUP-1`), most recently active first. */
export async function completeTicketKeys(deps: ServiceDeps, caller: Caller, typed: string): Promise<string[]> {
  const [, team = '', number] = /^\s*([A-Za-z][A-Za-z0-9]*)?(?:-(\d*))?/.exec(typed) ?? [];
  let query = deps.reader
    .selectFrom('tickets as t')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .select(['tm.identifier as team_identifier', 't.number'])
    .where('t.workspace_id', '=', caller.workspaceId)
    .where('t.deleted_at', 'is', null)
    .where(startsWithText('tm.identifier', team.toUpperCase()));
  if (number) query = query.where(sql<string>`CAST(t.number AS TEXT)`, 'like', `${number}%`);
  const rows = await query.orderBy('t.updated_at', 'desc').limit(stableLimit(COMPLETIONS)).execute();
  return rows.map(ticketKey);
}

/** Team identifiers that start with what was typed. */
export async function completeTeams(deps: ServiceDeps, caller: Caller, typed: string): Promise<string[]> {
  const rows = await deps.reader
    .selectFrom('teams')
    .select('identifier')
    .where('workspace_id', '=', caller.workspaceId)
    .where(startsWithText('identifier', typed.trim().toUpperCase()))
    .orderBy('identifier')
    .limit(stableLimit(COMPLETIONS))
    .execute();
  return rows.map((r) => r.identifier);
}
