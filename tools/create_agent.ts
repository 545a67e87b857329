import { z } from 'zod';
import { agent } from '../src/service/views.js';
import { email, recordName, refList, teamRef } from './args.js';
import { ADD, defineTool } from './tool.js';

export const createAgent = defineTool({
  name: 'create_agent',
  title: 'Create agent',
  description: [
    'Add an agent (a person or an AI) who can be assigned tickets, optionally as a member of teams; routing picks among team members.',
    'Use list_agents first to avoid duplicates; emails are unique.',
    'Example: {"name": "Priya Shah", "email": "priya@example.com", "teams": ["SUP"]}',
  ].join('\n'),
  toolset: 'directory',
  annotations: ADD,
  input: z.strictObject({
    name: recordName(100).describe('Display name'),
    email: email('Email; unique in the workspace'),
    kind: z.enum(['human', 'ai']).optional().describe('human (default) or ai'),
    teams: refList(teamRef('Team'), 'Teams to join: ids, identifiers or names').optional(),
  }),
  output: agent,
  run: (service, caller, args) => service.createAgent(caller, args),
});
