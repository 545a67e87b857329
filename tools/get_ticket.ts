import { z } from 'zod';
import { ticketLink } from '../src/resources.js';
import { ticketWithCommentsAnswer } from '../src/service/views.js';
import { ticketRef } from './args.js';
import { defineTool, READ } from './tool.js';

export const getTicket = defineTool({
  name: 'get_ticket',
  title: 'Get ticket',
  description: [
    'Read one ticket in full: status and its next statuses, assignee and lease, team, requestor, tags, links, version, newest comments. Deleted tickets too.',
    'get_ticket_history shows every change.',
    'Example: {"id": "SUP-42"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: READ,
  input: z.strictObject({ id: ticketRef() }),
  output: ticketWithCommentsAnswer,
  link: ticketLink,
  run: (service, caller, args) => service.getTicket(caller, args),
});
