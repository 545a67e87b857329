import type { Updateable } from 'kysely';
import type { Db } from '../db/engine.js';
import { newestAssignmentData } from '../db/repo/queue.js';
import type { TicketsTable } from '../db/tables.js';
import { leaseEnd, type LeaseState } from '../domain/queue.js';
import type { Caller } from './context.js';

/**
 * What a change does to its ticket's lease (claim_next_ticket's leaseSeconds), added to its
 * patch: a change that sets the lease itself keeps it; a new holder, a ticket leaving the
 * live statuses or deleted drops it; any other change by the holder renews it for the
 * length it was claimed for, which the claim's assignment event records.
 */
export async function withLease(
  db: Db,
  caller: Caller,
  ticket: LeaseState & { id: string },
  patch: Updateable<TicketsTable>,
  at: string,
): Promise<Updateable<TicketsTable>> {
  if (ticket.lease_expires_at === null || 'lease_expires_at' in patch) return patch;
  const newHolder = 'assignee_id' in patch && patch.assignee_id !== ticket.assignee_id;
  const done = patch.status === 'resolved' || patch.status === 'closed' || Boolean(patch.deleted_at);
  if (newHolder || done) return { ...patch, lease_expires_at: null };
  if (caller.agentId !== ticket.assignee_id) return patch;
  const seconds = (await newestAssignmentData(db, ticket.id))?.leaseSeconds;
  return typeof seconds === 'number' ? { ...patch, lease_expires_at: leaseEnd(at, seconds) } : patch;
}
