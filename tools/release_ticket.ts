import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { detail, expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

export const releaseTicket = defineTool({
  name: 'release_ticket',
  title: 'Release ticket',
  description: [
    'Hand a ticket you hold back to the queue: unassigned, pending → open.',
    'Example: {"id": "SUP-42"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: z.strictObject({
    id: ticketRef(),
    force: z.boolean().optional().describe('Even if another agent holds it'),
    expectedVersion,
    detail,
  }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.releaseTicket(caller, args), detail),
});
