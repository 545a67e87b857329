import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { agentRef, detail, expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

export const takeover = defineTool({
  name: 'takeover',
  title: 'Take over ticket',
  description: [
    'Claim a ticket atomically: succeeds if it is unassigned or already yours; if another agent holds it, fails with CONFLICT naming the holder (unless force: true). An open ticket moves to pending.',
    'Use to start working on a ticket yourself, safely when other agents may grab it at the same moment; to hand a ticket to someone else, use assign_ticket.',
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
