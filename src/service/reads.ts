import { sql } from 'kysely';
import { readTransaction } from '../db/transaction.js';
import { validationError } from '../errors.js';
import { normalizeInstant, type Caller } from './context.js';
import { decodeCursor, encodeCursor, paginate } from './cursor.js';
import type { StatusName } from './lifecycle.js';
import { findAgent, findLookup, findStatus, findTag, findTeam, findTicket } from './refs.js';
import { readTicketDetail, ticketKey, type Result, type ServiceDeps } from './store.js';
import { fold, startsWithText } from './text.js';
import type { Comment, HistoryPage, TicketEvent, TicketPage, TicketWithComments } from './views.js';

/** get_ticket shows the newest comments; older ones are in get_ticket_history. */
const COMMENTS_SHOWN = 20;
export const DEFAULT_PAGE_SIZE = 20;

export interface GetTicketInput {
  id: string;
}

export async function getTicket(deps: ServiceDeps, caller: Caller, input: GetTicketInput): Promise<Result<TicketWithComments>> {
  return readTransaction(deps.db, async (db) => {
    const record = await findTicket(db, caller.workspaceId, input.id);
    const detail = await readTicketDetail(deps, db, record.id);
    const { count } = await db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('ticket_id', '=', record.id)
      .executeTakeFirstOrThrow();
    const newest = await db
      .selectFrom('comments as c')
      .innerJoin('agents as a', 'a.id', 'c.author_id')
      .select(['c.id', 'a.name as author', 'c.author_id', 'c.body', 'c.is_internal', 'c.created_at'])
      .where('c.ticket_id', '=', record.id)
      .orderBy('c.created_at', 'desc')
      .orderBy(sql`c.rowid`, 'desc')
      .limit(COMMENTS_SHOWN)
      .execute();
    const comments: Comment[] = newest.reverse().map((c) => ({
      id: c.id,
      author: c.author,
      authorId: c.author_id,
      body: c.body,
      internal: c.is_internal === 1,
      createdAt: c.created_at,
    }));
    const shown = count > comments.length ? ` (newest ${comments.length} of ${count} comments shown)` : '';
    const deleted = detail.deletedAt ? ' It is deleted.' : '';
    return {
      data: { ...detail, commentCount: count, comments },
      message: `Ticket ${detail.ticketIdentifier}: ${detail.title} [${detail.status}]${shown}.${deleted}`,
    };
  });
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

/**
 * Free text to an FTS5 query: every word must appear, as a word or a word's start
 * ("disk ful" finds "Disk full"). Quoting each word keeps FTS5 syntax out of reach.
 */
export function toFtsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) {
    throw validationError('`search` needs at least one word (letters or digits).');
  }
  return words.map((w) => `"${w}"*`).join(' ');
}

export async function listTickets(deps: ServiceDeps, caller: Caller, input: ListTicketsInput): Promise<Result<TicketPage>> {
  const ws = caller.workspaceId;
  const sort = input.sort ?? 'updated';
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const after = input.cursor === undefined ? undefined : decodeCursor(sort, input.cursor, sort === 'updated' ? 2 : 1);
  return readTransaction(deps.db, async (db) => {
    let query = db
      .selectFrom('tickets as t')
      .innerJoin('teams as tm', 'tm.id', 't.team_id')
      .innerJoin('priorities as p', 'p.id', 't.priority_id')
      .leftJoin('agents as a', 'a.id', 't.assignee_id')
      .select([
        't.id',
        't.seq',
        't.number',
        'tm.identifier as team_identifier',
        't.title',
        't.status',
        'p.name as priority',
        'a.name as assignee',
        't.due_date',
        't.updated_at',
        't.deleted_at',
      ])
      .where('t.workspace_id', '=', ws);

    const filters: string[] = [];
    if (input.status !== undefined) {
      const refs = Array.isArray(input.status) ? input.status : [input.status];
      const statuses: StatusName[] = [];
      for (const ref of refs) statuses.push(await findStatus(db, ws, ref, 'status'));
      query = query.where('t.status', 'in', statuses);
      filters.push(statuses.join('/'));
    }
    if (input.assignee !== undefined) {
      const who = input.assignee.trim().toLowerCase();
      if (who === 'none' || who === 'unassigned') {
        query = query.where('t.assignee_id', 'is', null);
        filters.push('unassigned');
      } else {
        const agentId = who === 'me' ? caller.agentId : (await findAgent(db, ws, input.assignee)).id;
        query = query.where('t.assignee_id', '=', agentId);
        filters.push(`assigned to ${who === 'me' ? 'you' : input.assignee}`);
      }
    }
    if (input.team !== undefined) {
      const team = await findTeam(db, ws, input.team);
      query = query.where('t.team_id', '=', team.id);
      filters.push(`team ${team.identifier}`);
    }
    if (input.tag !== undefined) {
      const tag = await findTag(db, ws, input.tag);
      query = query.where('t.id', 'in', (eb) => eb.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', tag.id));
      filters.push(`tagged ${tag.name}`);
    }
    if (input.priority !== undefined) {
      const priority = await findLookup(db, ws, 'priorities', input.priority, 'priority');
      query = query.where('t.priority_id', '=', priority.id);
      filters.push(`priority ${priority.name}`);
    }
    if (input.requestor !== undefined) {
      // Resolved first, so the filter is an equality the contact index serves.
      const contact = await db
        .selectFrom('contacts')
        .select('id')
        .where('workspace_id', '=', ws)
        .where('email_key', '=', fold(input.requestor))
        .executeTakeFirst();
      query = query.where('t.contact_id', '=', contact?.id ?? '');
      filters.push(`from ${input.requestor}`);
    }
    if (input.chatId !== undefined) {
      query = query.where('t.chat_id', '=', input.chatId);
      filters.push(`chat ${input.chatId}`);
    }
    if (input.dueBefore !== undefined) {
      query = query.where('t.due_date', '<', normalizeInstant(input.dueBefore));
      filters.push(`due before ${input.dueBefore}`);
    }
    if (!input.includeDeleted) query = query.where('t.deleted_at', 'is', null);
    if (input.search !== undefined) {
      const match = toFtsQuery(input.search);
      query = query.where('t.seq', 'in', sql<number>`(SELECT rowid FROM ticket_search WHERE ticket_search MATCH ${match})`);
      filters.push(`matching "${input.search}"`);
    }

    if (sort === 'updated') {
      if (after) query = query.where(sql<boolean>`(t.updated_at, t.seq) < (${after[0]}, ${after[1]})`);
      query = query.orderBy('t.updated_at', 'desc').orderBy('t.seq', 'desc');
    } else if (sort === 'newest') {
      if (after) query = query.where('t.seq', '<', Number(after[0]));
      query = query.orderBy('t.seq', 'desc');
    } else {
      if (after) query = query.where('t.seq', '>', Number(after[0]));
      query = query.orderBy('t.seq', 'asc');
    }
    const rows = await query.limit(pageSize + 1).execute();
    const { page, nextCursor } = paginate(rows, pageSize, (last) =>
      encodeCursor(sort, sort === 'updated' ? [last.updated_at, last.seq] : [last.seq]),
    );

    const tagsByTicket = new Map<string, string[]>();
    if (page.length > 0) {
      const tagged = await db
        .selectFrom('ticket_tags as tt')
        .innerJoin('tags as g', 'g.id', 'tt.tag_id')
        .select(['tt.ticket_id', 'g.name'])
        .where(
          'tt.ticket_id',
          'in',
          page.map((r) => r.id),
        )
        .orderBy('g.name')
        .execute();
      for (const { ticket_id, name } of tagged) {
        tagsByTicket.set(ticket_id, [...(tagsByTicket.get(ticket_id) ?? []), name]);
      }
    }
    const tickets = page.map((r) => ({
      key: ticketKey(r),
      title: r.title,
      status: r.status as StatusName,
      priority: r.priority,
      assignee: r.assignee,
      team: r.team_identifier,
      tags: tagsByTicket.get(r.id) ?? [],
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
  });
}

export interface GetTicketHistoryInput {
  id: string;
  pageSize?: number;
  cursor?: string;
}

export const DEFAULT_HISTORY_PAGE_SIZE = 50;

export async function getTicketHistory(
  deps: ServiceDeps,
  caller: Caller,
  input: GetTicketHistoryInput,
): Promise<Result<HistoryPage>> {
  const pageSize = input.pageSize ?? DEFAULT_HISTORY_PAGE_SIZE;
  const after = input.cursor === undefined ? undefined : decodeCursor('history', input.cursor, 1);
  return readTransaction(deps.db, async (db) => {
    const ticket = await findTicket(db, caller.workspaceId, input.id);
    let query = db
      .selectFrom('events as e')
      .innerJoin('agents as a', 'a.id', 'e.actor_id')
      .select(['e.seq', 'e.type', 'a.name as actor', 'e.actor_id', 'e.created_at', 'e.ticket_version', 'e.data'])
      .where('e.ticket_id', '=', ticket.id)
      .orderBy('e.seq', 'asc');
    if (after) query = query.where('e.seq', '>', Number(after[0]));
    const rows = await query.limit(pageSize + 1).execute();
    const { page, nextCursor } = paginate(rows, pageSize, (last) => encodeCursor('history', [last.seq]));
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
  let query = deps.db
    .selectFrom('tickets as t')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .select(['tm.identifier as team_identifier', 't.number'])
    .where('t.workspace_id', '=', caller.workspaceId)
    .where('t.deleted_at', 'is', null)
    .where(startsWithText('tm.identifier', team.toUpperCase()));
  if (number) query = query.where(sql<string>`CAST(t.number AS TEXT)`, 'like', `${number}%`);
  const rows = await query.orderBy('t.updated_at', 'desc').limit(COMPLETIONS).execute();
  return rows.map(ticketKey);
}

/** Team identifiers that start with what was typed. */
export async function completeTeams(deps: ServiceDeps, caller: Caller, typed: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('teams')
    .select('identifier')
    .where('workspace_id', '=', caller.workspaceId)
    .where(startsWithText('identifier', typed.trim().toUpperCase()))
    .orderBy('identifier')
    .limit(COMPLETIONS)
    .execute();
  return rows.map((r) => r.identifier);
}
