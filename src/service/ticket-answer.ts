import type { Result } from './deps.js';
import type { CommentAdded, TicketAnswer, TicketDetail } from './views.js';

/**
 * What a ticket-changing tool answers: the ticket with Thena's field names, but only the
 * fields that have a value, and without the opaque ids of what the answer already names
 * (its status, priority, team, assignee, contact …). `detail: "full"` gives every field;
 * get_ticket always does. A model pays for every byte of every answer.
 */

export type Detail = 'full' | undefined;

/** Ids a model never needs beside the names the answer gives: each has a readable twin. */
const LOOKUP_IDS = new Set([
  'statusId',
  'priorityId',
  'sentimentId',
  'typeId',
  'teamId',
  'accountId',
  'assignedAgentId',
  'customerContactId',
  'createdById',
  'completedById',
]);

const isEmpty = (value: unknown) =>
  value === null ||
  value === undefined ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && Object.keys(value).length === 0);

export function conciseTicket(ticket: TicketDetail): TicketAnswer {
  const concise: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(ticket)) {
    // nextStatuses stays when empty: it says the ticket can move no further.
    if (LOOKUP_IDS.has(field) || (isEmpty(value) && field !== 'nextStatuses')) continue;
    concise[field] = field === 'tags' ? ticket.tags.map(({ name, color }) => ({ name, color })) : value;
  }
  return concise as TicketAnswer;
}

export const answerTicket = (result: Result<TicketDetail>, detail: Detail): Result<TicketAnswer> =>
  detail === 'full' ? result : { ...result, data: conciseTicket(result.data) };

/** claim_next_ticket's answer: the claimed ticket as answerTicket gives it, or null for an empty queue. */
export const answerClaim = (result: Result<TicketDetail | null>, detail: Detail): Result<TicketAnswer | null> =>
  result.data === null ? { ...result, data: null } : answerTicket({ ...result, data: result.data }, detail);

/** add_comment's answer: the comment, and where the ticket now stands (key, status, version). */
export const answerComment = ({ data, message }: Result<CommentAdded>) => ({
  message,
  data: {
    comment: { id: data.comment.id, author: data.comment.author, body: data.comment.body, internal: data.comment.internal, createdAt: data.comment.createdAt },
    ticket: { ticketIdentifier: data.ticket.ticketIdentifier, status: data.ticket.status, version: data.ticket.version },
  },
});
