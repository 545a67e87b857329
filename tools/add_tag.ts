import { z } from 'zod';
import { bulkResults, ticketDetail } from '../src/service/views.js';
import { expectedVersion, oneOrMany, oneTagOrMany, tagRef, tagRefs, ticketRef, ticketRefs } from './args.js';
import { defineTool, SET } from './tool.js';

export const addTag = defineTool({
  name: 'add_tag',
  title: 'Add tag',
  description: [
    'Attach tags to a ticket. An unknown tag name creates the tag (3 to 50 characters); a tag already there is left as is. A ticket carries at most 20 tags.',
    'Use to label tickets (billing, outage, vip); list_tickets filters by tag. remove_tag takes one off.',
    'Example: {"ticketId": "SUP-42", "tagId": "billing"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: SET,
  input: z
    .strictObject({
      ticketId: ticketRef().optional(),
      ticketIds: ticketRefs().optional(),
      tagId: tagRef('The tag; a new name creates it').optional(),
      tags: tagRefs('Or several tags').optional(),
      expectedVersion,
    })
    .superRefine(oneOrMany('ticketId', 'ticketIds'))
    .superRefine(oneTagOrMany),
  output: z.union([ticketDetail, bulkResults]),
  run: (service, caller, { ticketId, ticketIds, ...args }) =>
    ticketIds ? service.addTagToTickets(caller, { ticketIds, ...args }) : service.addTag(caller, { ticketId: ticketId!, ...args }),
});
