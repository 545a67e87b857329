import type { Updateable } from 'kysely';
import { ConcurrentChange, type Db } from '../db/engine.js';
import { insertEvents, type EventDraft } from '../db/repo/events.js';
import { ticketVersion, updateTicketAtVersion } from '../db/repo/tickets.js';
import type { TicketsTable } from '../db/tables.js';
import { refuseUnchangeable, staleVersion } from '../domain/lifecycle.js';
import type { Caller } from './context.js';
import { withLease } from './lease.js';
import { findTicket, type TicketRecord } from './refs.js';
import { ticketKey } from './ticket-view.js';

export type { EventDraft };

export type LoadedTicket = TicketRecord & { key: string };

/**
 * The ticket a change applies to, read with its row lock where the engine has one:
 * every ticket change loads its ticket here. It must be changeable (see
 * refuseUnchangeable); `action` undefined lets the change touch closed tickets.
 */
export async function loadForChange(
  db: Db,
  caller: Caller,
  ref: string,
  expectedVersion: number | undefined,
  action: string | undefined,
): Promise<LoadedTicket> {
  const ticket = await loadTicketForChange(db, caller, ref);
  refuseUnchangeable(ticket, expectedVersion, action);
  return ticket;
}

/** The ticket as loadForChange reads it, with no rule applied (delete_ticket judges a deleted ticket itself). */
export async function loadTicketForChange(db: Db, caller: Caller, ref: string): Promise<LoadedTicket> {
  const record = await findTicket(db, caller.workspaceId, ref, { lock: true });
  return { ...record, key: ticketKey(record) };
}

/**
 * Saves a change with its audit rows, over the version the change loaded. A change is
 * exactly its events: none means nothing changed, so neither the version nor updatedAt
 * moves. Every change passes here, so here its ticket's lease is renewed or dropped
 * (withLease). Should the ticket have moved on meanwhile, nothing is written: CONFLICT
 * when the caller named the version it read, else ConcurrentChange, which the engine retries.
 */
export async function saveChange(
  db: Db,
  caller: Caller,
  ticket: LoadedTicket,
  patch: Updateable<TicketsTable>,
  events: EventDraft[],
  at: string,
  expectedVersion?: number,
): Promise<boolean> {
  if (events.length === 0) return false;
  if (!(await updateTicketAtVersion(db, ticket.id, ticket.version, await withLease(db, caller, ticket, patch, at), at))) {
    if (expectedVersion !== undefined) throw staleVersion(ticket.key, await ticketVersion(db, ticket.id), expectedVersion);
    throw new ConcurrentChange(ticket.id);
  }
  await insertEvents(db, { ws: caller.workspaceId, ticket: ticket.id, actor: caller.agentId, version: ticket.version + 1, at }, events);
  return true;
}
