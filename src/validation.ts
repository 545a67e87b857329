import type { z } from 'zod';
import { validationError } from './errors.js';

const normalized = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `ticket_id` → `ticketId`; `tag` → `tagId`; `ticket_id` → `id` where the tool calls the ticket `id`. */
function closestArgument(unknown: string, valid: string[]): string | undefined {
  const wanted = normalized(unknown);
  if (wanted.length < 2) return undefined;
  return (
    valid.find((v) => normalized(v) === wanted) ??
    valid.find((v) => normalized(v).startsWith(wanted) || wanted.startsWith(normalized(v))) ??
    valid.find((v) => wanted.endsWith(normalized(v)) || normalized(v).endsWith(wanted))
  );
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

function valueAt(args: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], args);
}

/** The description of a field, looking through optional() and nullable() wrappers. */
function descriptionOf(schema: z.ZodType | undefined): string | undefined {
  let current: any = schema;
  while (current && !current.description && typeof current.unwrap === 'function') current = current.unwrap();
  return current?.description;
}

function describeIssue(issue: z.core.$ZodIssue, field: string, value: unknown, shape: Record<string, z.ZodType>): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `\`${field}\` is required`
        : `\`${field}\` must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${describeValue(value)}`;
    case 'invalid_union':
      return `\`${field}\` is not in an accepted form: ${descriptionOf(shape[field]) ?? 'see the schema'}`;
    case 'too_small':
    case 'too_big': {
      if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) === 1) return `\`${field}\` must not be empty`;
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
      return `\`${field}\` must be ${bound}${unit}`;
    }
    default:
      return `\`${field}\`: ${issue.message}`;
  }
}

/**
 * Checks a tool's arguments against its schema. A failure becomes VALIDATION_ERROR
 * naming each bad field and what would be valid, and the hint lists the arguments,
 * so a model can fix the call in one try.
 */
export function parseArguments<S extends z.ZodObject>(toolName: string, schema: S, args: unknown): z.infer<S> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const shape = schema.shape as Record<string, z.ZodType>;
  const valid = Object.keys(shape);
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const suggestion = closestArgument(key, valid);
          return `unknown argument \`${key}\`${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}`;
        })
        .join('; ');
    }
    return describeIssue(issue, issue.path.map(String).join('.'), valueAt(args, issue.path), shape);
  });
  const listing = valid.map((key) => (shape[key]!.safeParse(undefined).success ? key : `${key} (required)`)).join(', ');
  throw validationError(`Invalid arguments for ${toolName}: ${problems.join('; ')}.`, {
    hint: `${toolName} takes: ${listing}.`,
  });
}
