import { z } from 'zod';
import { DEFAULT_HISTORY_PAGE_SIZE } from '../src/service/reads.js';
import { historyPage } from '../src/service/views.js';
import { cursor, pageSize, ticketRef } from './args.js';
import { defineTool, READ } from './tool.js';

export const getTicketHistory = defineTool({
  name: 'get_ticket_history',
  title: 'Get ticket history',
  description: [
    'The audit trail of a ticket, oldest first: creation, status changes, assignments and takeovers, comments, tags, field edits and deletion, each with who and when.',
    'Use to see what happened and who did it; get_ticket shows the current state.',
    'Example: {"id": "SUP-42"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: READ,
  input: z.strictObject({
    id: ticketRef(),
    pageSize: pageSize(DEFAULT_HISTORY_PAGE_SIZE),
    cursor,
  }),
  output: historyPage,
  run: (service, caller, args) => service.getTicketHistory(caller, args),
});
