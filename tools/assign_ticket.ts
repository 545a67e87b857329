import { z } from 'zod';
import { ticketDetail } from '../src/service/views.js';
import { agentRef, expectedVersion, ticketRef } from './args.js';
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
  input: z.strictObject({
    id: ticketRef(),
    assignedAgentId: agentRef('New assignee').nullable(),
    expectedVersion,
  }),
  output: ticketDetail,
  run: (service, caller, args) => service.assignTicket(caller, args),
});
