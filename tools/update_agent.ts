import { z } from 'zod';
import { agent } from '../src/service/views.js';
import { agentRef, email, teamRef } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const updateAgent = defineTool({
  name: 'update_agent',
  title: 'Update agent',
  description: [
    'Change an agent: name, email, kind, active, team memberships. A deactivated agent keeps their tickets but gets no new ones.',
    'Example: {"id": "priya@example.com", "addTeams": ["ENG"], "active": true}',
  ].join('\n'),
  toolset: 'directory',
  annotations: OVERWRITE,
  input: z.strictObject({
    id: agentRef('The agent'),
    name: z.string().trim().min(1).max(100).optional().describe('New display name'),
    email: email('New email').optional(),
    kind: z.enum(['human', 'ai']).optional().describe('human or ai'),
    active: z.boolean().optional().describe('false deactivates: no new assignments'),
    addTeams: z.array(teamRef('Team')).optional().describe('Teams to join'),
    removeTeams: z.array(teamRef('Team')).optional().describe('Teams to leave'),
  }),
  output: agent,
  run: (service, caller, args) => service.updateAgent(caller, args),
});
