import { z } from 'zod';
import { answerComment } from '../src/service/ticket-answer.js';
import { commentAnswer } from '../src/service/views.js';
import { agentRef, expectedVersion, ticketRef } from './args.js';
import { ADD, defineTool } from './tool.js';

export const addComment = defineTool({
  name: 'add_comment',
  title: 'Add comment',
  description: [
    'Add a comment to a ticket\'s conversation; internal: true makes it a note for agents only. Closed tickets take no comments.',
    'Use for progress notes, questions and answers; complete_ticket and set_ticket_status take a comment too.',
    'Example: {"id": "SUP-42", "body": "Asked the customer for the failing order id.", "internal": true}',
  ].join('\n'),
  toolset: 'comments',
  annotations: ADD,
  input: z.strictObject({
    id: ticketRef(),
    body: z.string().trim().min(1).max(20_000).describe('The comment text'),
    internal: z.boolean().optional().describe('A note for agents only (default false)'),
    authorId: agentRef('Author (default: you)').optional(),
    expectedVersion,
  }),
  output: commentAnswer,
  run: async (service, caller, args) => answerComment(await service.addComment(caller, args)),
});
