import { z } from 'zod';
import { ticketLink } from '../src/resources.js';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { agentRef, attachmentUrls, customFieldValues, detail, email, instant, metadata, shortText, teamRef, ticketRef, visible } from './args.js';
import { ADD, defineTool } from './tool.js';

export const createTicket = defineTool({
  name: 'create_ticket',
  title: 'Create ticket',
  description: [
    'Open a ticket for a requestor; it takes its team\'s next key (SUP-1, SUP-2, …) and starts open. To add to an existing issue use add_comment; list_tickets with search finds one.',
    'idempotencyKey makes a retry return the first answer instead of a duplicate; performRouting: true assigns the least-loaded active agent of the team.',
    'Example: {"title": "Cannot log in after update", "requestorEmail": "jo@example.com", "teamId": "SUP", "priorityName": "High"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: ADD,
  input: z.strictObject({
    title: z.string().trim().min(1).max(300).describe('Short summary of the issue'),
    requestorEmail: email('Email of the person who needs help'),
    requestorFirstName: z.string().trim().min(1).max(100).optional().describe("Requestor's first name, if known"),
    requestorLastName: z.string().trim().min(1).max(100).optional().describe("Requestor's last name, if known"),
    teamId: teamRef('Team (default SUP)').optional(),
    description: z.string().max(20_000).optional().describe('The issue in full'),
    accountId: shortText().superRefine(visible).optional().describe('Account id or name (a new name creates it)'),
    assignedAgentId: agentRef('Assignee').optional(),
    assignedAgentEmail: email('Assignee email, instead of assignedAgentId').optional(),
    dueDate: instant('Due date').optional(),
    submitterEmail: email('Who filed it, if not the requestor').optional(),
    statusId: shortText().optional().describe('Status id; see statusName'),
    statusName: shortText().optional().describe('open (default), or pending (needs an assignee)'),
    priorityId: shortText().optional().describe('Priority id; see priorityName'),
    priorityName: shortText().optional().describe('Priority: Low, Medium (default), High or Urgent'),
    sentimentId: shortText().optional().describe('Sentiment: Positive, Neutral (default) or Negative'),
    metadata: metadata('Free-form key/value data').optional(),
    typeId: shortText().optional().describe('Type: Question, Incident, Problem or Task'),
    isPrivate: z.boolean().optional().describe('Hide from the requestor (default false)'),
    source: z.string().trim().min(1).max(50).optional().describe('Where it came from, e.g. "email" (default "mcp")'),
    aiGeneratedTitle: z.string().max(300).optional().describe('A title written by an AI'),
    aiGeneratedSummary: z.string().max(5_000).optional().describe('A summary written by an AI'),
    attachmentUrls: attachmentUrls('URLs of attached files').optional(),
    customFieldValues: customFieldValues('Custom field values as objects').optional(),
    performRouting: z.boolean().optional().describe('Assign the least-loaded active team member'),
    formId: shortText().optional().describe('Form id'),
    chatId: shortText().optional().describe('External conversation id; one ticket per chat until closed'),
    idempotencyKey: shortText().optional().describe('Any unique string, to retry safely'),
    followUpOf: ticketRef('Ticket this follows up, e.g. a closed one').optional(),
    detail,
  }),
  output: ticketAnswer,
  link: ticketLink,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.createTicket(caller, args), detail),
});
