import { historyRows } from '../db/repo/events.js';
import { teamIdentifiersStartingWith } from '../db/repo/teams.js';
import { ticketKeysStartingWith } from '../db/repo/tickets.js';
import type { Caller } from './context.js';
import { decodeCursor, encodeCursor, paginate } from './cursor.js';
import type { Result, ServiceDeps } from './deps.js';
import { more } from './paging.js';
import { findTicket, parseTicketKey } from './refs.js';
import { readTicketWithComments, readTicketWithCommentsByKey, ticketKey } from './ticket-view.js';
import type { HistoryPage, TicketEvent, TicketWithComments } from './views.js';

export interface GetTicketInput {
  id: string;
}

export async function getTicket(deps: ServiceDeps, caller: Caller, input: GetTicketInput): Promise<Result<TicketWithComments>> {
  // One statement for a current key; an id, a bare number or a key the ticket had before a move
  // is resolved first (a ticket's id never changes, so no transaction).
  const key = parseTicketKey(input.id);
  const ticket =
    (key && (await readTicketWithCommentsByKey(deps, deps.engine.reader, caller.workspaceId, key))) ||
    (await readTicketWithComments(deps, deps.engine.reader, (await findTicket(deps.engine.reader, caller.workspaceId, input.id)).id));
  const { commentCount: count, comments } = ticket;
  const shown = count > comments.length ? ` (newest ${comments.length} of ${count} comments shown)` : '';
  const deleted = ticket.deletedAt ? ' It is deleted (restore_ticket brings it back).' : '';
  const moved = key && `${key.identifier}-${key.number}` !== ticket.ticketIdentifier ? ` (${key.identifier}-${key.number} before it moved)` : '';
  return {
    data: ticket,
    message: `Ticket ${ticket.ticketIdentifier}${moved}: ${ticket.title} [${ticket.status}]${shown}.${deleted}`,
  };
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
  return deps.engine.read(async (db) => {
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
        return {
      data: { ticket: key, events, nextCursor },
      message: `${events.length} event${events.length === 1 ? '' : 's'} of ticket ${key}, oldest first${more(nextCursor)}.`,
    };
  });
}

const COMPLETIONS = 20;

/** Ticket keys that start with what was typed (`SU`, `SUP-1`), most recently active first. */
export async function completeTicketKeys(deps: ServiceDeps, caller: Caller, typed: string): Promise<string[]> {
  const [, team = '', number] = /^\s*([A-Za-z][A-Za-z0-9]*)?(?:-(\d*))?/.exec(typed) ?? [];
  const rows = await ticketKeysStartingWith(deps.engine.reader, caller.workspaceId, team.toUpperCase(), number, COMPLETIONS);
  return rows.map(ticketKey);
}

/** Team identifiers that start with what was typed. */
export async function completeTeams(deps: ServiceDeps, caller: Caller, typed: string): Promise<string[]> {
  return teamIdentifiersStartingWith(deps.engine.reader, caller.workspaceId, typed.trim().toUpperCase(), COMPLETIONS);
}
