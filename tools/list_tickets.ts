import { z } from 'zod';
import { TICKET_SORTS } from '../src/service/list.js';
import { ticketPage } from '../src/service/views.js';
import { cursor, email, instant, pageSize, shortText, statusRef, tagRef, teamRef } from './args.js';
import { defineTool, READ } from './tool.js';

export const listTickets = defineTool({
  name: 'list_tickets',
  title: 'List tickets',
  description: [
    'Find tickets: filter by status, assignee, team, tag, priority, requestor, chat or due date, and search words in titles, descriptions and comments. Returns short rows (key, title, status, priority, assignee, team, tags, due, updated), newest activity first, with a cursor for more.',
    'Use get_ticket for a ticket\'s full detail.',
    'Example: {"status": ["open", "pending"], "team": "SUP", "assignee": "me", "search": "login"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: READ,
  input: z.strictObject({
    status: z
      .union([statusRef('Status'), z.array(statusRef('Status')).min(1).max(10)])
      .optional()
      .describe('One status or a list of up to 10, e.g. "open" or ["open", "pending"]'),
    assignee: shortText().optional().describe('Assignee: an agent id, email or name; "me" for you; "none" for unassigned'),
    team: teamRef('Team').optional(),
    tag: tagRef('Tag').optional(),
    priority: shortText().optional().describe('Priority name or id: Low, Medium, High, Urgent'),
    requestor: email('Requestor email').optional(),
    chatId: shortText().optional().describe('External conversation id'),
    dueBefore: instant('Only tickets due before this').optional(),
    includeDeleted: z.boolean().optional().describe('Include deleted tickets (default false)'),
    search: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Words that must all appear in the title, description or comments, in any form ("refunds" finds "refund"); or a ticket key'),
    sort: z
      .enum(TICKET_SORTS)
      .optional()
      .describe('updated: latest activity first (default); newest: newest created first (default with search); oldest: oldest created first'),
    pageSize: pageSize(20),
    cursor,
  }),
  output: ticketPage,
  run: (service, caller, args) => service.listTickets(caller, args),
});
