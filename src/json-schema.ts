import { z } from 'zod';

type Node = Record<string, unknown>;

/**
 * The bound of every short text argument (names, references, ids). tools/list leaves it
 * out: no reference comes near it, it would repeat on most properties, and the server
 * still enforces it, naming the field and the bound.
 */
export const SHORT_TEXT_MAX = 200;

/** A JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * zod's JSON Schema, tidied for tools/list: smaller (a model pays for every token of
 * it) and, for input, portable (clients map it onto their providers' function-calling
 * dialects, so nullable is `anyOf [X, null]` with single-type branches). A `format` makes its
 * regex `pattern` redundant, safe-integer bounds say nothing, nor does a minimum length
 * of 1 on text that is trimmed anyway; a description zod
 * left inside a union branch moves up to the property it describes.
 */
function tidy(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, io));
  if (!isJsonObject(node)) return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) out[key] = tidy(value, io);
  // Input schemas become function declarations, some in single-type dialects (Gemini's):
  // there `type: [X, "null"]` is spelled `anyOf [{type: X}, {type: "null"}]`. Output
  // schemas only validate answers, so they keep the shorter spelling.
  if (io === 'input' && Array.isArray(out.type)) {
    const { type, description, ...constraints } = out;
    const types = type as string[];
    return {
      anyOf: types.map((t) => (t === 'null' ? { type: t } : { type: t, ...constraints })),
      ...(description !== undefined && { description }),
    };
  }
  if (typeof out.format === 'string') delete out.pattern;
  // Every text argument is trimmed and must not be empty, which the server checks and
  // names; the bound a client needs to know is the upper one.
  if (out.minLength === 1) delete out.minLength;
  if (io === 'input' && out.type === 'string' && out.maxLength === SHORT_TEXT_MAX) delete out.maxLength;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (isJsonObject(out.propertyNames) && Object.keys(out.propertyNames).length === 1 && out.propertyNames.type === 'string') {
    delete out.propertyNames;
  }
  // An empty schema accepts anything; say so plainly.
  if (isJsonObject(out.additionalProperties) && Object.keys(out.additionalProperties).length === 0) out.additionalProperties = true;
  if (Array.isArray(out.anyOf)) {
    const branches: unknown[] = [];
    for (const branch of out.anyOf) {
      const nested = isJsonObject(branch) && Array.isArray(branch.anyOf) && Object.keys(branch).every((k) => k === 'anyOf' || k === 'description');
      if (isJsonObject(branch) && typeof branch.description === 'string' && out.description === undefined) {
        out.description = branch.description;
        delete branch.description;
      }
      branches.push(...(nested ? (branch.anyOf as unknown[]) : [branch]));
    }
    out.anyOf = branches;
  }
  return out;
}

export function toToolJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Node {
  // The MCP default dialect is 2020-12 already; the $schema key only costs tokens.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return tidy(rest, io) as Node;
}
