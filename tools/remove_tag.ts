import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { detail, expectedVersion, tagRef, ticketRef } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const removeTag = defineTool({
  name: 'remove_tag',
  title: 'Remove tag',
  description: [
    'Take a tag off a ticket; if the ticket does not have it, nothing changes. The tag itself stays.',
    'Example: {"ticketId": "SUP-42", "tagId": "billing"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: OVERWRITE,
  input: z.strictObject({
    ticketId: ticketRef(),
    tagId: tagRef('The tag'),
    expectedVersion,
    detail,
  }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.removeTag(caller, args), detail),
});
