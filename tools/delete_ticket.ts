import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketOrResults } from '../src/service/views.js';
import { oneOrManyTickets } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const deleteTicket = defineTool({
  name: 'delete_ticket',
  title: 'Delete ticket',
  description: [
    'Delete a ticket (soft): it leaves lists and can no longer change; get_ticket and its history still show it, and restore_ticket brings it back. Needs confirm: true.',
    'Prefer set_ticket_status closed for finished work; delete only spam, duplicates and mistakes.',
    'Example: {"id": "SUP-42", "confirm": true, "reason": "Duplicate of SUP-40"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: OVERWRITE,
  input: oneOrManyTickets({
    confirm: z.literal(true).describe('Must be true'),
    reason: z.string().trim().min(1).max(1_000).optional().describe('Why; kept in the history'),
  }),
  output: ticketOrResults,
  run: async (service, caller, { id, ids, detail, ...args }) =>
    ids ? service.deleteTickets(caller, { ids, ...args }) : answerTicket(await service.deleteTicket(caller, { id: id!, ...args }), detail),
});
