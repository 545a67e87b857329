import type { Updateable } from 'kysely';
import type { Db } from '../db/engine.js';
import type { TicketsTable } from '../db/tables.js';
import { statusMove } from '../domain/lifecycle.js';
import { leaseLapsed } from '../domain/queue.js';
import { agentLabel, shownValue } from './change-message.js';
import { saveChange, type EventDraft, type LoadedTicket } from './changes.js';
import type { Caller } from './context.js';
import { agentRecord, agentRef } from './participants.js';

export interface Swept {
  /** The ticket as it now stands, or as it was when its lease has not lapsed. */
  ticket: LoadedTicket;
  /** The sentence the change's answer adds when a lapse was recorded ("" otherwise), so it never reads as taken from nobody. */
  note: string;
}

/**
 * Records a lapsed lease, lazily, in the transaction of whoever next claims, takes, is
 * given or releases the ticket (not its holder, whose change renews it): the holder is
 * dropped and a pending ticket goes back to open, as release_ticket does, in a version of its own whose `lease_expired` event names the holder as actor (the
 * lapse is theirs: no system agent acts).
 */
export async function sweepLapsedLease(db: Db, caller: Caller, ticket: LoadedTicket, at: string): Promise<Swept> {
  if (!leaseLapsed(ticket, at)) return { ticket, note: '' };
  const holder = await agentRecord(db, ticket.assignee_id!);
  const patch: Updateable<TicketsTable> = { assignee_id: null, circumstance: null, lease_expires_at: null };
  const events: EventDraft[] = [{ type: 'lease_expired', data: { assignee: agentRef(holder), expiredAt: ticket.lease_expires_at } }];
  if (ticket.status === 'pending') {
    const move = statusMove(ticket, 'open', at, holder.id);
    Object.assign(patch, move.patch);
    events.push(move.event);
  }
  await saveChange(db, { ...caller, agentId: holder.id }, ticket, patch, events, at);
  return {
    ticket: { ...ticket, ...(patch as Partial<LoadedTicket>), version: ticket.version + 1, updated_at: at },
    note: `The lease of ${agentLabel(holder)} had lapsed (${shownValue(ticket.lease_expires_at)}), which put it back in the queue first.`,
  };
}
