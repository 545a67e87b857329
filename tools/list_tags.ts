import { z } from 'zod';
import { tagPage } from '../src/service/views.js';
import { cursor, pageSize } from './args.js';
import { defineTool, READ } from './tool.js';

export const listTags = defineTool({
  name: 'list_tags',
  title: 'List tags',
  description: [
    'List tags by name, each with its description, color and count of open and pending tickets.',
    'Example: {"search": "bill"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: READ,
  input: z.strictObject({
    search: z.string().trim().min(1).max(50).optional().describe('Part of a tag name'),
    pageSize: pageSize(20),
    cursor,
  }),
  output: tagPage,
  run: (service, caller, args) => service.listTags(caller, args),
});
