import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketOrResults } from '../src/service/views.js';
import { agentRef, oneOrManyTickets } from './args.js';
import { defineTool, SET } from './tool.js';

export const assignTicket = defineTool({
  name: 'assign_ticket',
  title: 'Assign ticket',
  description: [
    'Assign (or reassign) a ticket to an agent: a handover. An open ticket moves to pending. null unassigns.',
    'Use to give work to someone; to claim a ticket for yourself without overriding a colleague, use takeover. Refused for resolved and closed tickets.',
    'Example: {"id": "SUP-42", "assignedAgentId": "priya@example.com"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: oneOrManyTickets({
    assignedAgentId: agentRef('New assignee').nullable(),
  }),
  output: ticketOrResults,
  run: async (service, caller, { id, ids, detail, ...args }) =>
    ids ? service.assignTickets(caller, { ids, ...args }) : answerTicket(await service.assignTicket(caller, { id: id!, ...args }), detail),
});
