import { z } from 'zod';
import { LEASE_SECONDS } from '../src/domain/queue.js';
import { answerClaim } from '../src/service/ticket-answer.js';
import { ticketAnswer } from '../src/service/views.js';
import { detail, shortText, tagRef, teamRef } from './args.js';
import { ADD, defineTool } from './tool.js';

export const claimNextTicket = defineTool({
  name: 'claim_next_ticket',
  title: 'Claim next ticket',
  description: [
    'Take the most urgent waiting ticket (unassigned or lease lapsed, not blocked) of your teams: Urgent first, then soonest due, then oldest. Assigns you; open → pending. Empty queue: data null.',
    'Example: {"tag": "billing", "leaseSeconds": 900}',
  ].join('\n'),
  toolset: 'tickets',
  annotations: ADD,
  input: z.strictObject({
    team: teamRef('This team instead of yours').optional(),
    tag: tagRef('Only tickets with this tag, any team').optional(),
    priority: shortText().optional().describe('Only Low, Medium, High or Urgent'),
    leaseSeconds: z
      .number()
      .int()
      .min(LEASE_SECONDS.min)
      .max(LEASE_SECONDS.max)
      .optional()
      .describe(`Hold it this long (${LEASE_SECONDS.min}–${LEASE_SECONDS.max}); your changes renew it`),
    detail,
  }),
  output: ticketAnswer.nullable(),
  run: async (service, caller, { detail, ...args }) => answerClaim(await service.claimNextTicket(caller, args), detail),
});
