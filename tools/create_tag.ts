import { z } from 'zod';
import { visible } from './args.js';
import { TAG_COLORS, tag } from '../src/service/views.js';
import { ADD, defineTool } from './tool.js';

export const tagName = z.string().trim().min(3).max(50).superRefine(visible).describe('Tag name, 3 to 50 characters; unique ignoring case');
export const tagDescription = z.string().trim().min(3).max(250).describe('What the tag means, 3 to 250 characters');
export const tagColor = z.enum(TAG_COLORS).describe(`Color: ${TAG_COLORS.join(', ')}`);

export const createTag = defineTool({
  name: 'create_tag',
  title: 'Create tag',
  description: [
    'Create a tag with a description and color. add_tag also creates a tag from a new name; use this to set its description and color.',
    'Example: {"name": "billing", "description": "Invoices, charges and refunds", "color": "green"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: ADD,
  input: z.strictObject({
    name: tagName,
    description: tagDescription.optional(),
    color: tagColor.optional(),
  }),
  output: tag,
  run: (service, caller, args) => service.createTag(caller, args),
});
