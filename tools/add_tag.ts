import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketOrResults } from '../src/service/views.js';
import { taggingInput } from './args.js';
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
  input: taggingInput('The tag; a new name creates it'),
  output: ticketOrResults,
  run: async (service, caller, { ticketId, ticketIds, detail, ...args }) =>
    ticketIds
      ? service.addTagToTickets(caller, { ticketIds, ...args })
      : answerTicket(await service.addTag(caller, { ticketId: ticketId!, ...args }), detail),
});
