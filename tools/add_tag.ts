import { z } from 'zod';
import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { detail, expectedVersion, tagRef, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

export const addTag = defineTool({
  name: 'add_tag',
  title: 'Add tag',
  description: [
    'Attach a tag to a ticket. An unknown tag name creates the tag (3 to 50 characters); attaching a tag twice succeeds and changes nothing. A ticket carries at most 20 tags.',
    'Use to label tickets (billing, outage, vip); list_tickets filters by tag. remove_tag takes one off.',
    'Example: {"ticketId": "SUP-42", "tagId": "billing"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: SET,
  input: z.strictObject({
    ticketId: ticketRef(),
    tagId: tagRef('The tag; a new name creates it'),
    expectedVersion,
    detail,
  }),
  output: ticketAnswer,
  run: async (service, caller, { detail, ...args }) => answerTicket(await service.addTag(caller, args), detail),
});
