import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { linkArguments } from './link_tickets.js';
import { defineTool, OVERWRITE } from './tool.js';

export const unlinkTickets = defineTool({
  name: 'unlink_tickets',
  title: 'Unlink tickets',
  description: 'Remove a link between two tickets, either way round.\nExample: {"id": "SUP-1", "relatedId": "SUP-2", "type": "blocks"}',
  toolset: 'tickets',
  annotations: OVERWRITE,
  input: linkArguments,
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.unlinkTickets(caller, args), detail),
});
