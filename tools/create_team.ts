import { z } from 'zod';
import { team } from '../src/service/views.js';
import { agentRef, recordName, refList } from './args.js';
import { ADD, defineTool } from './tool.js';

export const createTeam = defineTool({
  name: 'create_team',
  title: 'Create team',
  description: [
    'Create a team with its own ticket numbering: identifier ENG gives tickets ENG-1, ENG-2, … The identifier never changes.',
    'Example: {"name": "Engineering", "identifier": "ENG", "members": ["priya@example.com"]}',
  ].join('\n'),
  toolset: 'directory',
  annotations: ADD,
  input: z.strictObject({
    name: recordName(100).describe('Team name'),
    identifier: z.string().trim().min(2).max(10).describe('2 to 10 letters or digits starting with a letter, e.g. "ENG"; stored upper-case'),
    description: z.string().trim().min(1).max(500).optional().describe('What the team handles'),
    members: refList(agentRef('Member'), 'Agents to add (more join later with update_agent addTeams)').optional(),
  }),
  output: team,
  run: (service, caller, args) => service.createTeam(caller, args),
});
