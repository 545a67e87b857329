import { z } from 'zod';
import { LINK_TYPES } from '../src/domain/queue.js';
import { ticketWithLinks } from '../src/service/views.js';
import { expectedVersion, ticketRef } from './args.js';
import { defineTool, SET } from './tool.js';

/** Arguments link_tickets and unlink_tickets share. */
export const linkArguments = z.strictObject({
  id: ticketRef(),
  relatedId: ticketRef('The other ticket'),
  type: z.enum(LINK_TYPES).describe('id <type> relatedId, e.g. SUP-1 blocks SUP-2'),
  expectedVersion,
});

export const linkTickets = defineTool({
  name: 'link_tickets',
  title: 'Link tickets',
  description: [
    'Link two tickets; both show it. A ticket blocked by an unresolved one is not offered by claim_next_ticket.',
    'Example: {"id": "SUP-1", "relatedId": "SUP-2", "type": "blocks"}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: SET,
  input: linkArguments,
  output: ticketWithLinks,
  run: (service, caller, args) => service.linkTickets(caller, args),
});
