import { z } from 'zod';
import { ticketDetail } from '../src/service/views.js';
import { expectedVersion, ticketRef } from './args.js';
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
  input: z.strictObject({ id: ticketRef(), expectedVersion }),
  output: ticketDetail,
  run: (service, caller, args) => service.restoreTicket(caller, args),
});
