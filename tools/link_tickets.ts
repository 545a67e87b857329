import { z } from 'zod';
import { LINK_TYPES } from '../src/domain/queue.js';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { detail, expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

/** Arguments link_tickets and unlink_tickets share. */
export const linkArguments = z.strictObject({
  id: ticketRef(),
  relatedId: ticketRef('The other ticket'),
  type: z.enum(LINK_TYPES).describe('id <type> relatedId'),
  expectedVersion,
  detail,
});

export const linkTickets = defineTool({
  name: 'link_tickets',
  title: 'Link tickets',
  description: [
    'Link two tickets; both show the link. claim_next_ticket skips tickets blocked by unresolved ones.',
    'Example: {"id": "SUP-1", "relatedId": "SUP-2", "type": "blocks"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: linkArguments,
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.linkTickets(caller, args), detail),
});
