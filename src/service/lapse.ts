import type { Updateable } from 'kysely';
import type { Db } from '../db/engine.js';
import type { TicketsTable } from '../db/tables.js';
import { statusMove } from '../domain/lifecycle.js';
import { leaseLapsed } from '../domain/queue.js';
import { saveChange, type EventDraft, type LoadedTicket } from './changes.js';
import type { Caller } from './context.js';
import { agentSummary } from './participants.js';

/**
 * Records a lapsed lease, lazily, in the transaction of whoever claims or takes the ticket
 * next: the holder is dropped and a pending ticket goes back to open, as release_ticket
 * does, in a version of its own whose `lease_expired` event names the holder as actor (the
 * lapse is theirs: no system agent acts). Returns the ticket as it now stands, or as it was
 * when its lease has not lapsed.
 */
export async function sweepLapsedLease(db: Db, caller: Caller, ticket: LoadedTicket, at: string): Promise<LoadedTicket> {
  if (!leaseLapsed(ticket, at)) return ticket;
  const holder = ticket.assignee_id!;
  const patch: Updateable<TicketsTable> = { assignee_id: null, circumstance: null, lease_expires_at: null };
  const events: EventDraft[] = [{ type: 'lease_expired', data: { assignee: await agentSummary(db, holder), expiredAt: ticket.lease_expires_at } }];
  if (ticket.status === 'pending') {
    const move = statusMove(ticket, 'open', at, holder);
    Object.assign(patch, move.patch);
    events.push(move.event);
  }
  await saveChange(db, { ...caller, agentId: holder }, ticket, patch, events, at);
  return { ...ticket, ...(patch as Partial<LoadedTicket>), version: ticket.version + 1, updated_at: at };
}
