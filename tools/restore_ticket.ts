import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { detail, expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

export const restoreTicket = defineTool({
  name: 'restore_ticket',
  title: 'Restore ticket',
  description: [
    'Undo delete_ticket: the ticket comes back as it was. Refused if it is not deleted.',
    'Example: {"id": "SUP-42"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: z.strictObject({ id: ticketRef(), expectedVersion, detail }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.restoreTicket(caller, args), detail),
});
