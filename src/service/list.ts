import { engineSql, type Db } from '../db/engine.js';
import { DomainError } from '../errors.js';
import { contactIdByEmail } from '../db/repo/contacts.js';
import { ticketListRows, type ListShape, type TicketSort } from '../db/repo/list.js';
import { taggedAtLeast } from '../db/repo/tags.js';
import type { StatusName } from '../domain/lifecycle.js';
import { fold } from '../domain/text.js';
import { normalizeInstant, type Caller } from './context.js';
import { decodeCursor, encodeCursor, paginate } from './cursor.js';
import type { Result, ServiceDeps } from './deps.js';
import { DEFAULT_PAGE_SIZE, more } from './paging.js';
import { findAgent, findLookup, findStatus, findTag, findTeam, findTicket, parseTicketKey } from './refs.js';
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
  if (keyed) {
    params.ticket = keyed.id;
    filters.push(`key ${input.search!.trim().toUpperCase()}`);
  }
  if (search !== undefined) {
    params.match = engineSql(db).search.query(search);
    filters.push(`matching "${search}"`);
  }
  // A cursor continues the list it came from: the same sort and the same filters, resolved.
  const listed = { ...params, unassigned: assignee === 'none', includeDeleted: input.includeDeleted === true };
  const after = input.cursor === undefined ? undefined : decodeCursor(sort, input.cursor, sort === 'updated' ? ['instant', 'seq'] : ['seq'], listed);
  params.limit = pageSize + 1;
  if (after) {
    params.afterAt = after[0];
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
    includeDeleted: input.includeDeleted === true,
    search: search !== undefined,
    ...(keyed && { ticket: true }),
    sort,
    after: after !== undefined,
  };
  const rows = await ticketListRows(db, shape, params);
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
    return {
    data: { tickets, nextCursor },
    message: `${tickets.length} ticket${tickets.length === 1 ? '' : 's'}${scope}${more(nextCursor)}.`,
  };
}
