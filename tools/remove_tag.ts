import { answerTicket } from '../src/service/ticket-answer.js';
import { ticketOrResults } from '../src/service/views.js';
import { taggingInput } from './args.js';
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
  input: taggingInput('The tag'),
  output: ticketOrResults,
  run: async (service, caller, { ticketId, ticketIds, detail, ...args }) =>
    ticketIds
      ? service.removeTagFromTickets(caller, { ticketIds, ...args })
      : answerTicket(await service.removeTag(caller, { ticketId: ticketId!, ...args }), detail),
});
