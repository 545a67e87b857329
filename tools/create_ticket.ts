import { z } from 'zod';
import { ticketLink } from '../src/resources.js';
import { ticketDetail } from '../src/service/views.js';
import { agentRef, attachmentUrls, customFieldValues, email, instant, metadata, shortText, teamRef, ticketRef, visible } from './args.js';
import { ADD, defineTool } from './tool.js';

export const createTicket = defineTool({
  name: 'create_ticket',
  title: 'Create ticket',
  description: [
    'Open a new support ticket for a requestor; it gets the next key of its team (SUP-1, SUP-2, …) and starts open.',
    'Use for a new issue; to add to an existing one use add_comment, and to find one first use list_tickets with search.',
    'Example: {"title": "Cannot log in after update", "requestorEmail": "jo@example.com", "teamId": "SUP", "priorityName": "High"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: ADD,
  input: z.strictObject({
    title: z.string().trim().min(1).max(300).describe('Short summary of the issue'),
    requestorEmail: email('Email of the person who needs help; their contact is created on first use'),
    requestorFirstName: z.string().trim().min(1).max(100).optional().describe("Requestor's first name, if known"),
    requestorLastName: z.string().trim().min(1).max(100).optional().describe("Requestor's last name, if known"),
    teamId: teamRef('Team that owns the ticket (default: the first team, SUP)').optional(),
    description: z.string().max(20_000).optional().describe('The issue in full'),
    accountId: shortText().superRefine(visible).optional().describe("Customer account: an account id, or a name (an unknown name creates the account)"),
    assignedAgentId: agentRef('Assignee').optional(),
    assignedAgentEmail: email('Assignee email; an alternative to assignedAgentId').optional(),
    dueDate: instant('Due date').optional(),
    submitterEmail: email('Email of whoever filed it, if not the requestor').optional(),
    statusId: shortText().optional().describe('Initial status id; see statusName'),
    statusName: shortText().optional().describe('Initial status: open (default), or pending (needs an assignee)'),
    priorityId: shortText().optional().describe('Priority id or name; see priorityName'),
    priorityName: shortText().optional().describe('Priority: Low, Medium (default), High or Urgent'),
    sentimentId: shortText().optional().describe('Sentiment id or name: Positive, Neutral (default) or Negative'),
    metadata: metadata('Free-form key/value data').optional(),
    typeId: shortText().optional().describe('Ticket type id or name: Question, Incident, Problem or Task'),
    isPrivate: z.boolean().optional().describe('Hide from the requestor (default false)'),
    source: z.string().trim().min(1).max(50).optional().describe('Where it came from, e.g. "email", "chat" (default "mcp")'),
    aiGeneratedTitle: z.string().max(300).optional().describe('A title written by an AI'),
    aiGeneratedSummary: z.string().max(5_000).optional().describe('A summary written by an AI'),
    attachmentUrls: attachmentUrls('URLs of attached files').optional(),
    customFieldValues: customFieldValues('Custom field values as objects').optional(),
    performRouting: z.boolean().optional().describe('With no assignee: assign the active team member with the fewest open and pending tickets'),
    formId: shortText().optional().describe('Id of the form it was filed through'),
    chatId: shortText().optional().describe('External conversation id; a chat has at most one ticket that is not closed'),
    followUpOf: ticketRef('Ticket this follows up, e.g. a closed one').optional(),
    idempotencyKey: shortText().optional().describe('Any unique string; a retry with the same key and arguments returns the original answer'),
  }),
  output: ticketDetail,
  link: ticketLink,
  run: (service, caller, args) => service.createTicket(caller, args),
});
