import { z } from 'zod';
import { TICKET_SORTS } from '../src/service/list.js';
import { ticketPage } from '../src/service/views.js';
import { cursor, email, instant, pageSize, shortText, tagRef, teamRef } from './args.js';
import { defineTool, READ } from './tool.js';

export const listTickets = defineTool({
  name: 'list_tickets',
  title: 'List tickets',
  description: [
    'Find tickets by status, assignee, team, tag, priority, requestor, chat, due date or words (in titles, descriptions and comments). Returns short rows, latest activity first unless sorted, with a cursor for more; get_ticket has the full ticket.',
    'Example: {"status": ["open", "pending"], "team": "SUP", "assignee": "me", "sort": "priority"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: READ,
  input: z.strictObject({
    status: z
      .union([shortText(), z.array(shortText()).min(1).max(10)])
      .optional()
      .describe('A status (open, pending, resolved, closed; "in progress" means pending, "done" resolved) or a list of up to 10'),
    assignee: shortText().optional().describe('Assignee: an agent id, email, name or the start of one name ("priya"); "me"; "none" for unassigned'),
    team: teamRef('Team').optional(),
    tag: tagRef('Tag').optional(),
    priority: shortText().optional().describe('Priority name or id: Low, Medium, High, Urgent'),
    requestor: email('Requestor email').optional(),
    chatId: shortText().optional().describe('External conversation id'),
    dueBefore: instant('Only tickets due before this').optional(),
    overdue: z.boolean().optional().describe('Only open or pending tickets due before now'),
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
      .describe('updated: latest activity first (default); created: oldest first; newest: newest first (default with search); priority: most urgent first; due: soonest due first'),
    pageSize: pageSize(20),
    cursor,
  }),
  output: ticketPage,
  run: (service, caller, args) => service.listTickets(caller, args),
});
