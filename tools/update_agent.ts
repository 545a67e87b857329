import { z } from 'zod';
import { agentUpdate } from '../src/service/views.js';
import { agentRef, email, recordName, refList, teamRef } from './args.js';
import { defineTool, OVERWRITE } from './tool.js';

export const updateAgent = defineTool({
  name: 'update_agent',
  title: 'Update agent',
  description: [
    'Change an agent: name, email, kind, active, team memberships. A deactivated agent keeps their tickets, unless reassignTo hands them over, and gets no new ones.',
    'Example: {"id": "priya@example.com", "addTeams": ["ENG"], "active": true}',
  ].join('\n'),
  toolset: 'directory',
  annotations: OVERWRITE,
  input: z.strictObject({
    id: agentRef('The agent'),
    name: recordName(100).optional().describe('New display name'),
    email: email('New email').optional(),
    kind: z.enum(['human', 'ai']).optional().describe('human or ai'),
    active: z.boolean().optional().describe('false deactivates: no new assignments'),
    addTeams: refList(teamRef('Team'), 'Teams to join').optional(),
    removeTeams: refList(teamRef('Team'), 'Teams to leave').optional(),
    reassignTo: agentRef('Who takes their open and pending tickets').optional(),
  }),
  output: agentUpdate,
  run: (service, caller, args) => service.updateAgent(caller, args),
});
