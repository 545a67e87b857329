import { z } from 'zod';
import { ticketLink } from '../src/resources.js';
import { ticketWithCommentsAnswer } from '../src/service/views.js';
import { ticketRef } from './args.js';
import { defineTool, READ } from './tool.js';

export const getTicket = defineTool({
  name: 'get_ticket',
  title: 'Get ticket',
  description: [
    'Read one ticket in full: status and the statuses it can move to, assignee, team, requestor, tags, version, and its newest comments. Deleted tickets are shown too.',
    'Use before changing a ticket or to answer questions about it; list_tickets finds tickets, get_ticket_history shows every change.',
    'Example: {"id": "SUP-42"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: READ,
  input: z.strictObject({ id: ticketRef() }),
  output: ticketWithCommentsAnswer,
  link: ticketLink,
  run: (service, caller, args) => service.getTicket(caller, args),
});
