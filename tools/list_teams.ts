import { z } from 'zod';
import { teamPage } from '../src/service/views.js';
import { cursor, pageSize } from './args.js';
import { defineTool, READ } from './tool.js';

export const listTeams = defineTool({
  name: 'list_teams',
  title: 'List teams',
  description: [
    'List teams with identifier (the ticket key prefix), members and count of open and pending tickets.',
    'Example: {}',
  ].join('\n'),
  toolset: 'directory',
  annotations: READ,
  input: z.strictObject({ pageSize: pageSize(20), cursor }),
  output: teamPage,
  run: (service, caller, args) => service.listTeams(caller, args),
});
