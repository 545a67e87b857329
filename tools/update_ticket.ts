import { z } from 'zod';
import { ticketDetail } from '../src/service/views.js';
import { attachmentUrls, customFieldValues, email, expectedVersion, instant, metadata, shortText, teamRef, ticketRef, visible } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const updateTicket = defineTool({
  name: 'update_ticket',
  title: 'Update ticket',
  description: [
    'Change a ticket\'s fields: title, description, priority, sentiment, type, account, due date, team, metadata, custom fields and more. Only the fields you pass change; null clears a field. Each change is recorded in the history.',
    'Status, assignee, tags and comments have their own tools (set_ticket_status, assign_ticket, add_tag, add_comment). Closed tickets cannot be edited.',
    'Example: {"id": "SUP-42", "priorityName": "Urgent", "dueDate": "2026-12-01"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: OVERWRITE,
  input: z.strictObject({
    id: ticketRef(),
    teamId: teamRef('Move to this team (new key; the old one keeps working)').optional(),
    title: z.string().trim().min(1).max(300).optional().describe('New title'),
    description: z.string().max(20_000).nullable().optional().describe('New description; null clears it'),
    priorityId: shortText().optional().describe('Priority id or name'),
    priorityName: shortText().optional().describe('Priority: Low, Medium, High or Urgent'),
    sentimentId: shortText().optional().describe('Sentiment id or name: Positive, Neutral or Negative'),
    typeId: shortText().nullable().optional().describe('Type id or name (Question, Incident, Problem, Task); null clears it'),
    accountId: shortText().superRefine(visible).nullable().optional().describe('Account id or name (a new name creates it); null clears it'),
    dueDate: instant('Due date').nullable().optional(),
    submitterEmail: email('Submitter email').nullable().optional(),
    isPrivate: z.boolean().optional().describe('Hide from the requestor'),
    formId: shortText().nullable().optional().describe('Form id; null clears it'),
    metadata: metadata('Merged into the metadata: given keys are set, a key set to null is removed').optional(),
    customFieldValues: customFieldValues('Replaces all custom field values (send the full list)').optional(),
    attachmentUrls: attachmentUrls('Replaces all attachment URLs (send the full list)').optional(),
    aiGeneratedTitle: z.string().max(300).nullable().optional().describe('AI-written title; null clears it'),
    aiGeneratedSummary: z.string().max(5_000).nullable().optional().describe('AI-written summary; null clears it'),
    expectedVersion,
  }),
  output: ticketDetail,
  run: (service, caller, args) => service.updateTicket(caller, args),
});
