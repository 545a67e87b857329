import { conflict, invalidTransition } from '../errors.js';

/**
 * The ticket lifecycle of the ticket-management guide (seed 003):
 *   open → pending → resolved → closed, with pending → open and resolved → open (reopen).
 * TRANSITIONS below is the one source of the allowed moves. seedWorkspace still writes
 * them as rows of status_transitions, which doctor may hold against this constant;
 * the service never reads that table.
 */
export const STATUS_NAMES = ['open', 'pending', 'resolved', 'closed'] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

export const STATUS_DESCRIPTIONS: Record<StatusName, string> = {
  open: 'Created and awaiting attention',
  pending: 'Work in progress, or waiting for external input',
  resolved: 'A solution was provided',
  closed: 'Final: no further action',
};

export const TRANSITIONS: ReadonlyArray<readonly [StatusName, StatusName]> = [
  ['open', 'pending'],
  ['pending', 'resolved'],
  ['resolved', 'closed'],
  ['pending', 'open'],
  ['resolved', 'open'],
];

/** Where each status can move, in lifecycle order (open, pending, resolved, closed). */
export const NEXT_STATUSES: ReadonlyMap<StatusName, readonly StatusName[]> = new Map(
  STATUS_NAMES.map((from) => [
    from,
    TRANSITIONS.filter(([f]) => f === from)
      .map(([, to]) => to)
      .sort((a, b) => STATUS_NAMES.indexOf(a) - STATUS_NAMES.indexOf(b)),
  ]),
);

export const nextStatuses = (from: StatusName): StatusName[] => [...(NEXT_STATUSES.get(from) ?? [])];

/** Tickets that still need work: they count towards an agent's load and a tag's active tickets. */
export const LIVE_STATUSES: readonly StatusName[] = ['open', 'pending'];

/** Other trackers' words for our statuses (Zaia's ongoing/completed, Jira's In Progress/Done). */
const ALIASES: Record<string, StatusName> = {
  'in progress': 'pending',
  in_progress: 'pending',
  'in-progress': 'pending',
  ongoing: 'pending',
  completed: 'resolved',
  complete: 'resolved',
  done: 'resolved',
  solved: 'resolved',
};

/** A status name or alias, any case, to our name; undefined when it is neither. */
export function parseStatusName(input: string): StatusName | undefined {
  const key = input.trim().toLowerCase().replace(/\s+/g, ' ');
  return (STATUS_NAMES as readonly string[]).includes(key) ? (key as StatusName) : ALIASES[key];
}

export const STATUS_WORDS = `${STATUS_NAMES.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`;

/** What a rule needs to know of the ticket it judges. */
export interface TicketState {
  key: string;
  status: string;
  version: number;
  deleted_at: string | null;
}

/** The columns a move sets: the status, and the lifecycle timestamps that go with it. */
export interface StatusPatch {
  status: StatusName;
  ongoing_at?: string;
  completed_at?: string | null;
  completed_by?: string | null;
  closed_at?: string;
}

/** The fields a move into `to` by `agentId` sets, or INVALID_TRANSITION naming the moves there are. */
export function statusMove(
  ticket: TicketState,
  to: StatusName,
  at: string,
  agentId: string,
  hint?: string,
): { patch: StatusPatch; event: { type: 'status_changed'; data: Record<string, unknown> } } {
  const from = ticket.status as StatusName;
  const allowed = nextStatuses(from);
  if (!allowed.includes(to)) {
    const options = allowed.length > 0 ? `From ${from} it can move to: ${allowed.join(', ')}.` : `${from} is final.`;
    throw invalidTransition(`Ticket ${ticket.key} is ${from}; it cannot move to ${to}. ${options}`, {
      hint: hint ?? (allowed.length > 0 ? `Use set_ticket_status with one of: ${allowed.join(', ')}.` : followUpHint(ticket.key)),
      details: { currentStatus: from, allowedStatuses: allowed },
    });
  }
  const patch: StatusPatch = { status: to };
  if (to === 'pending') patch.ongoing_at = at;
  if (to === 'resolved') Object.assign(patch, { completed_at: at, completed_by: agentId });
  if (to === 'open') Object.assign(patch, { completed_at: null, completed_by: null });
  if (to === 'closed') patch.closed_at = at;
  return { patch, event: { type: 'status_changed', data: { from, to } } };
}

/**
 * The moves that bring a ticket to `to` through one intermediate status when there is no
 * direct move (open → pending → resolved), each checked by statusMove; a direct move
 * when there is one. INVALID_TRANSITION (statusMove's) when neither exists.
 */
export function statusPath(
  ticket: TicketState,
  to: StatusName,
  at: string,
  agentId: string,
  hint?: string,
): { patch: StatusPatch; events: { type: 'status_changed'; data: Record<string, unknown> }[] } {
  const from = ticket.status as StatusName;
  const direct = nextStatuses(from);
  const via = direct.includes(to) ? undefined : direct.find((step) => nextStatuses(step).includes(to));
  const steps = via === undefined ? [to] : [via, to];
  const patch = {} as StatusPatch;
  const events: { type: 'status_changed'; data: Record<string, unknown> }[] = [];
  let current = ticket;
  for (const step of steps) {
    const move = statusMove(current, step, at, agentId, hint);
    Object.assign(patch, move.patch);
    events.push(move.event);
    current = { ...current, status: step };
  }
  return { patch, events };
}

/**
 * A ticket a change may apply to: not deleted; unless the change may touch closed tickets
 * (`action` undefined), not closed; and, when the caller says which version it read, still
 * at that version. Closed is checked before the version: a retry with a fresh version
 * would fail anyway.
 */
export function refuseUnchangeable(ticket: TicketState, expectedVersion: number | undefined, action: string | undefined): void {
  if (ticket.deleted_at) {
    throw invalidTransition(`Ticket ${ticket.key} was deleted at ${ticket.deleted_at}; a deleted ticket cannot ${action ?? 'change'}.`, {
      hint: 'Bring it back first with restore_ticket, or create a new ticket.',
      details: { deletedAt: ticket.deleted_at },
    });
  }
  if (action !== undefined) refuseIfClosed(ticket, action);
  refuseIfStale(ticket, expectedVersion);
}

export function refuseIfStale(ticket: TicketState, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && ticket.version !== expectedVersion) {
    throw staleVersion(ticket.key, ticket.version, expectedVersion);
  }
}

export const staleVersion = (key: string, current: number, expected: number) =>
  conflict(`Ticket ${key} is at version ${current}, not ${expected}: it changed since you read it. Nothing was changed.`, {
    hint: 'Read it again with get_ticket, then retry with the new version.',
    details: { currentVersion: current },
  });

/** What to do about a closed ticket's issue: a new ticket linked to it. */
const followUpHint = (key: string) => `If the issue needs more work, create a follow-up: create_ticket with followUpOf: "${key}".`;

/** A closed ticket is final: nothing about it changes any more. */
function refuseIfClosed(ticket: TicketState, action: string): void {
  if (ticket.status === 'closed') {
    throw invalidTransition(`Ticket ${ticket.key} is closed, and a closed ticket is final: it cannot ${action}.`, {
      hint: followUpHint(ticket.key),
      details: { currentStatus: 'closed', allowedStatuses: [] },
    });
  }
}

/**
 * A ticket someone can be given or can claim: live (open or pending). A resolved
 * ticket has to be reopened first; a closed one is final.
 */
export function refuseUnassignable(ticket: TicketState, action: string): void {
  if (ticket.status === 'resolved') {
    throw invalidTransition(`Ticket ${ticket.key} is resolved; it cannot ${action} until it is reopened.`, {
      hint: `Reopen it first with set_ticket_status (status: open), or leave it resolved.`,
      details: { currentStatus: 'resolved', allowedStatuses: nextStatuses('resolved') },
    });
  }
}
