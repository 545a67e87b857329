import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { attachmentUrls, customFieldValues, detail, email, expectedVersion, instant, metadata, shortText, teamRef, ticketRef, visible } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const updateTicket = defineTool({
  name: 'update_ticket',
  title: 'Update ticket',
  description: [
    'Change a ticket\'s fields (title, description, priority, due date, team, metadata …): only those you pass; null clears one. Status, assignee, tags and comments have their own tools. Closed tickets cannot be edited.',
    'Example: {"id": "SUP-42", "priorityName": "Urgent", "dueDate": "2026-12-01"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: OVERWRITE,
  input: z.strictObject({
    id: ticketRef(),
    title: z.string().trim().min(1).max(300).optional().describe('New title'),
    teamId: teamRef('Move to this team (new key; the old one keeps working)').optional(),
    description: z.string().max(20_000).nullable().optional().describe('New description'),
    priorityId: shortText().optional().describe('Priority id; see priorityName'),
    priorityName: shortText().optional().describe('Priority: Low, Medium, High or Urgent'),
    sentimentId: shortText().optional().describe('Sentiment id or name: Positive, Neutral or Negative'),
    typeId: shortText().nullable().optional().describe('Type: Question, Incident, Problem or Task'),
    accountId: shortText().superRefine(visible).nullable().optional().describe('Account id or name (a new name creates it)'),
    dueDate: instant('Due date').nullable().optional(),
    submitterEmail: email('Submitter email').nullable().optional(),
    isPrivate: z.boolean().optional().describe('Hide from the requestor'),
    formId: shortText().nullable().optional().describe('Form id'),
    metadata: metadata('Merged in; a key set to null is removed').optional(),
    customFieldValues: customFieldValues('Replaces all custom field values').optional(),
    attachmentUrls: attachmentUrls('Replaces all attachment URLs').optional(),
    aiGeneratedTitle: z.string().max(300).nullable().optional().describe('AI-written title'),
    aiGeneratedSummary: z.string().max(5_000).nullable().optional().describe('AI-written summary'),
    expectedVersion,
    detail,
  }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.updateTicket(caller, args), detail),
});
