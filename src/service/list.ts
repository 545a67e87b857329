import { engineSql, type Db } from '../db/engine.js';
import { DomainError } from '../errors.js';
import { contactIdByEmail } from '../db/repo/contacts.js';
import { ticketListRows, type ListShape, type TicketSort } from '../db/repo/list.js';
import { taggedAtLeast } from '../db/repo/tags.js';
import type { StatusName } from '../domain/lifecycle.js';
import { fold } from '../domain/text.js';
import { findAgentForFilter } from './agent-filter.js';
import { agentLabel } from './change-message.js';
import { normalizeInstant, now, type Caller } from './context.js';
import { decodeCursor, encodeCursor, paginate, type CursorField } from './cursor.js';
import type { Result, ServiceDeps } from './deps.js';
import { DEFAULT_PAGE_SIZE, more } from './paging.js';
import { findLookup, findStatus, findTag, findTeam, findTicket, parseTicketKey } from './refs.js';
import { ticketKey } from './ticket-view.js';
import type { TicketPage } from './views.js';

export { TICKET_SORTS, type TicketSort } from '../db/repo/list.js';

export interface ListTicketsInput {
  status?: string | string[];
  assignee?: string;
  team?: string;
  tag?: string;
  priority?: string;
  requestor?: string;
  chatId?: string;
  dueBefore?: string;
  overdue?: boolean;
  includeDeleted?: boolean;
  search?: string;
  sort?: TicketSort;
  pageSize?: number;
  cursor?: string;
}

/**
 * A tag on fewer tickets than this is rare: reading its tickets and sorting them is
 * cheap. On more, reading tickets in page order and keeping the tagged ones finds a
 * page sooner. Counting stops at the threshold, so deciding costs little either way.
 */
const COMMON_TAG = 2_000;

type ListRow = Awaited<ReturnType<typeof ticketListRows>>[number];

/** Where a row stands in each sort: what a cursor keeps, and what its fields hold. */
const POSITIONS: Record<TicketSort, { fields: CursorField[]; of: (row: ListRow) => (string | number)[] }> = {
  updated: { fields: ['instant', 'seq'], of: (r) => [r.updated_at, r.seq] },
  created: { fields: ['seq'], of: (r) => [r.seq] },
  newest: { fields: ['seq'], of: (r) => [r.seq] },
  priority: { fields: ['rank', 'seq'], of: (r) => [r.priority_rank, r.seq] },
  // An undated ticket's position holds '' for its due date.
  due: { fields: ['text', 'seq'], of: (r) => [r.due_date ?? '', r.seq] },
};

/** The ticket a text names when it is a ticket key, current or former; undefined for other text. */
async function ticketOfKey(db: Db, ws: string, text: string) {
  if (!parseTicketKey(text)) return undefined;
  try {
    return await findTicket(db, ws, text);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

export async function listTickets(deps: ServiceDeps, caller: Caller, input: ListTicketsInput): Promise<Result<TicketPage>> {
  const ws = caller.workspaceId;
  const db = deps.engine.reader;
  // A search that is a ticket's key (or one it had before a move) finds that ticket; other text is searched for.
  const keyed = input.search === undefined ? undefined : await ticketOfKey(db, ws, input.search);
  const search = keyed ? undefined : input.search;
  // Search results come newest first unless asked otherwise: the full-text index gives that order cheaply.
  const sort = input.sort ?? (search === undefined ? 'updated' : 'newest');
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
    const agent = assignee === 'one' && who !== 'me' ? await findAgentForFilter(db, ws, input.assignee) : undefined;
    if (assignee === 'one') params.assignee = agent?.id ?? caller.agentId;
    filters.push(assignee === 'none' ? 'unassigned' : `assigned to ${agent ? agentLabel(agent) : 'you'}`);
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
    params.contact = (await contactIdByEmail(db, { ws, key: fold(input.requestor) }))[0]?.id ?? '';
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
  if (input.overdue === true) filters.push('overdue');
  if (keyed) {
    params.ticket = keyed.id;
    filters.push(`key ${input.search!.trim().toUpperCase()}`);
  }
  if (search !== undefined) {
    params.match = engineSql(db).search.query(search);
    filters.push(`matching "${search}"`);
  }
  // A cursor continues the list it came from: the same sort and the same filters, resolved.
  const listed = { ...params, unassigned: assignee === 'none', overdue: input.overdue === true, includeDeleted: input.includeDeleted === true };
  // Set after the fingerprint: it moves with the clock, and the next page checks against its own now.
  if (input.overdue === true) params.overdueAt = now();
  const position = POSITIONS[sort];
  const after = input.cursor === undefined ? undefined : decodeCursor(sort, input.cursor, position.fields, listed);
  params.limit = pageSize + 1;
  if (after) {
    params.afterAt = after[0];
    params.afterRank = after[0];
    params.afterDue = after[0];
    params.afterSeq = after.at(-1);
  }
  if (search !== undefined) {
    Object.assign(params, engineSql(db).search.window(params.afterSeq as number | undefined, sort));
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
    overdue: input.overdue === true,
    includeDeleted: input.includeDeleted === true,
    search: search !== undefined,
    ...(keyed && { ticket: true }),
    sort,
    after: after !== undefined,
    ...(sort === 'due' && after?.[0] === '' && { afterUndated: true }),
  };
  const rows = await ticketListRows(db, shape, params);
  const { page, nextCursor } = paginate(rows, pageSize, (last) => encodeCursor(sort, position.of(last), listed));
  const tickets = page.map((r) => ({
    key: ticketKey(r),
    title: r.title,
    status: r.status as StatusName,
    priority: lookups.priorities.find((p) => p.id === r.priority_id)!.name,
    assignee: r.assignee && agentLabel({ name: r.assignee, email: r.assignee_email! }),
    team: r.team_identifier,
    tags: JSON.parse(r.tags_json) as string[],
    dueDate: r.due_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.deleted_at && { deleted: true as const }),
  }));
  const scope = filters.length > 0 ? ` (${filters.join(', ')})` : '';
  return {
    data: { tickets, nextCursor },
    message: `${tickets.length} ticket${tickets.length === 1 ? '' : 's'}${scope}${more(nextCursor)}.`,
  };
}
