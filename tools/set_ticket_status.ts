import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketOrResults } from '../src/service/views.js';
import { oneOrManyTickets, statusRef } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const setTicketStatus = defineTool({
  name: 'set_ticket_status',
  title: 'Set ticket status',
  description: [
    'Move a ticket through its lifecycle: open → pending → resolved → closed, and pending or resolved → open to reopen. Any other move is refused with the moves allowed. closed is final.',
    'Prefer takeover or assign_ticket to start work (they set pending and an owner) and complete_ticket to resolve; use this to close, reopen, or wait on the requestor.',
    'Example: {"id": "SUP-42", "status": "closed", "comment": "Customer confirmed the fix."}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: OVERWRITE,
  input: oneOrManyTickets({
    status: statusRef('New status'),
    comment: z.string().trim().min(1).max(20_000).optional().describe('Why; added as a comment'),
  }),
  output: ticketOrResults,
  run: async (service, caller, { id, ids, detail, ...args }) =>
    ids ? service.setTicketsStatus(caller, { ids, ...args }) : answerTicket(await service.setTicketStatus(caller, { id: id!, ...args }), detail),
});
