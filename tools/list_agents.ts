import { z } from 'zod';
import { agentPage } from '../src/service/views.js';
import { cursor, pageSize, teamRef } from './args.js';
import { defineTool, READ } from './tool.js';

export const listAgents = defineTool({
  name: 'list_agents',
  title: 'List agents',
  description: [
    'List agents with their teams and how many open and pending tickets each holds, by name.',
    'Use to find who to assign a ticket to, or an agent\'s id or email.',
    'Example: {"team": "SUP"}',
  ].join('\n'),
  toolset: 'directory',
  annotations: READ,
  input: z.strictObject({
    team: teamRef('Only members of this team').optional(),
    kind: z.enum(['human', 'ai']).optional().describe('Only humans or only AIs'),
    includeInactive: z.boolean().optional().describe('Include deactivated agents (default false)'),
    search: z.string().trim().min(1).max(100).optional().describe('Part of a name or email'),
    pageSize: pageSize(20),
    cursor,
  }),
  output: agentPage,
  run: (service, caller, args) => service.listAgents(caller, args),
});
