/**
 * The work queue's rules, without I/O: which tickets wait for someone, when a claim's
 * lease lapses, and how a link reads from each of its two tickets.
 */

/** Bounds of claim_next_ticket's leaseSeconds: long enough to start, short enough to come back the same day. */
export const LEASE_SECONDS = { min: 30, max: 86_400 } as const;

/** The most links one ticket carries: every get_ticket lists them all. */
export const MAX_LINKS_PER_TICKET = 50;

export interface LeaseState {
  assignee_id: string | null;
  lease_expires_at: string | null;
}

/** A claim whose lease has run out: the ticket is back in the queue, even before anyone records it. */
export const leaseLapsed = (ticket: LeaseState, at: string): boolean =>
  ticket.assignee_id !== null && ticket.lease_expires_at !== null && ticket.lease_expires_at <= at;

export const leaseEnd = (at: string, seconds: number) => new Date(Date.parse(at) + seconds * 1000).toISOString();

/** Waiting for someone: live, not deleted, and unassigned or held under a lapsed lease. */
export const isWaiting = (ticket: LeaseState & { status: string; deleted_at: string | null }, at: string): boolean =>
  ticket.deleted_at === null && (ticket.status === 'open' || ticket.status === 'pending') && (ticket.assignee_id === null || leaseLapsed(ticket, at));

export const LINK_TYPES = ['relates_to', 'duplicates', 'blocks', 'follows_up'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

/** "SUP-1 blocks SUP-2" read from SUP-1 (out) and from SUP-2 (in). */
const LINK_WORDS: Record<LinkType, { out: string; in: string }> = {
  relates_to: { out: 'relates to', in: 'relates to' },
  duplicates: { out: 'duplicates', in: 'duplicated by' },
  blocks: { out: 'blocks', in: 'blocked by' },
  follows_up: { out: 'follows up', in: 'followed up by' },
};

export const linkWords = (type: LinkType, side: 'out' | 'in') => LINK_WORDS[type][side];

/** Statuses in which a ticket no longer blocks the tickets it blocks. */
export const UNBLOCKING_STATUSES = ['resolved', 'closed'] as const;
