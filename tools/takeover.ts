import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { agentRef, detail, expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

export const takeover = defineTool({
  name: 'takeover',
  title: 'Take over ticket',
  description: [
    'Claim a given ticket atomically if it is unassigned, yours, or its lease lapsed; held by another agent, CONFLICT naming the holder (unless force: true). Open → pending.',
    'For the next ticket of the queue use claim_next_ticket; to hand a ticket to someone else, assign_ticket.',
    'Example: {"id": "SUP-42"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: z.strictObject({
    id: ticketRef(),
    assigneeId: agentRef('Who takes it (default: you)').optional(),
    force: z.boolean().optional().describe('Take it even from the agent holding it (default false)'),
    expectedVersion,
    detail,
  }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.takeover(caller, args), detail),
});
