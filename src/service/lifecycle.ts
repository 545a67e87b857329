/**
 * The ticket lifecycle of the ticket-management guide (seed 003):
 *   open → pending → resolved → closed, with pending → open and resolved → open (reopen).
 * The allowed moves are rows of status_transitions, written by seedWorkspace from
 * TRANSITIONS below; the service reads them back from the database.
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
