import { z } from 'zod';
import { tag } from '../src/service/views.js';
import { tagRef } from './args.js';
import { tagColor, tagDescription, tagName } from './create_tag.js';
import { defineTool, OVERWRITE } from './tool.js';

export const updateTag = defineTool({
  name: 'update_tag',
  title: 'Update tag',
  description: [
    'Rename a tag or change its description or color; tickets keep it.',
    'Example: {"id": "billing", "color": "red"}',
  ].join('\n'),
  toolset: 'tags',
  annotations: OVERWRITE,
  input: z.strictObject({
    id: tagRef('The tag'),
    name: tagName.optional(),
    description: tagDescription.nullable().optional(),
    color: tagColor.optional(),
  }),
  output: tag,
  run: (service, caller, args) => service.updateTag(caller, args),
});
