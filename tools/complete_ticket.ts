import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { agentRef, detail, expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

export const completeTicket = defineTool({
  name: 'complete_ticket',
  title: 'Complete ticket',
  description: [
    'Mark an open or pending ticket resolved (a solution was provided), optionally with a comment saying what fixed it. An open ticket goes through pending in the same change.',
    'Use when the work is done; use set_ticket_status for other moves (such as resolved → closed, or reopening).',
    'Example: {"id": "SUP-42", "comment": "Reset the SSO session; login works again."}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: z.strictObject({
    id: ticketRef(),
    userId: agentRef('Who completed it (default: you)').optional(),
    comment: z.string().trim().min(1).max(20_000).optional().describe('What was done; added as a comment'),
    internal: z.boolean().optional().describe('The comment is an internal note'),
    expectedVersion,
    detail,
  }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.completeTicket(caller, args), detail),
});
