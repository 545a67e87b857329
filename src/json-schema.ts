import { z } from 'zod';

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * zod's JSON Schema, made smaller for tools/list (a model pays for every token of it)
 * without changing what it accepts for the client: a `format` makes its regex
 * `pattern` redundant, the safe-integer bounds say nothing, and `anyOf [X, null]`
 * becomes `type: [X, "null"]`. The server still checks arguments with zod itself.
 */
function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) out[key] = compact(value);
  if (typeof out.format === 'string') delete out.pattern;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (isNode(out.propertyNames) && Object.keys(out.propertyNames).length === 1 && out.propertyNames.type === 'string') {
    delete out.propertyNames;
  }
  const options = out.anyOf;
  if (Array.isArray(options) && options.length === 2) {
    const nullAt = options.findIndex((o) => isNode(o) && o.type === 'null' && Object.keys(o).length === 1);
    const other = options[1 - nullAt];
    if (nullAt !== -1 && isNode(other) && typeof other.type === 'string') {
      delete out.anyOf;
      Object.assign(out, other, { type: [other.type, 'null'], ...(out.description !== undefined && { description: out.description }) });
      if (Array.isArray(other.enum)) out.enum = [...other.enum, null];
    } else if (nullAt !== -1 && isNode(other) && Array.isArray(other.anyOf)) {
      // A nullable union: one flat anyOf, with the union's description kept on top.
      out.anyOf = [...other.anyOf, options[nullAt]];
      if (out.description === undefined && other.description !== undefined) out.description = other.description;
    }
  }
  return out;
}

export function toCompactJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Node {
  // The MCP default dialect is 2020-12 already; the $schema key only costs tokens.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return compact(rest) as Node;
}
