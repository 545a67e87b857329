import { z } from 'zod';
import { bulkResults, ticketDetail } from '../src/service/views.js';
import { expectedVersion, oneOrMany, oneTagOrMany, tagRef, tagRefs, ticketRef, ticketRefs } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const removeTag = defineTool({
  name: 'remove_tag',
  title: 'Remove tag',
  description: [
    'Take tags off a ticket; a tag the ticket lacks is left as is. The tag itself stays.',
    'Example: {"ticketId": "SUP-42", "tagId": "billing"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: OVERWRITE,
  input: z
    .strictObject({
      ticketId: ticketRef().optional(),
      ticketIds: ticketRefs().optional(),
      tagId: tagRef('The tag').optional(),
      tags: tagRefs('Or several tags').optional(),
      expectedVersion,
    })
    .superRefine(oneOrMany('ticketId', 'ticketIds'))
    .superRefine(oneTagOrMany),
  output: z.union([ticketDetail, bulkResults]),
  run: (service, caller, { ticketId, ticketIds, ...args }) =>
    ticketIds ? service.removeTagFromTickets(caller, { ticketIds, ...args }) : service.removeTag(caller, { ticketId: ticketId!, ...args }),
});
