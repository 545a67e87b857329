import type { z } from 'zod';
import { validationError } from './errors.js';

const normalized = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The argument a model probably meant: `ticket_id` → `ticketId`, `agentId` →
 * `assignedAgentId`, `ticket_id` → `id` where the tool calls the ticket `id`.
 * Arguments the call already has are never suggested.
 */
function closestArgument(unknown: string, valid: string[], given: Set<string>): string | undefined {
  const wanted = normalized(unknown);
  const open = valid.filter((v) => !given.has(v));
  if (wanted.length < 2) return undefined;
  return (
    open.find((v) => normalized(v) === wanted) ??
    open.find((v) => normalized(v).includes(wanted)) ??
    open.find((v) => wanted.includes(normalized(v)))
  );
}

/** Arguments that belong to another tool: the model is using the wrong one. */
const OTHER_TOOL: Record<string, string> = {
  status: 'set_ticket_status',
  statusname: 'set_ticket_status',
  assignee: 'assign_ticket',
  assigneeid: 'assign_ticket',
  assignedagentid: 'assign_ticket',
  tag: 'add_tag',
  tags: 'add_tag',
  tagid: 'add_tag',
  comment: 'add_comment',
  body: 'add_comment',
};

function unknownArgument(toolName: string, key: string, valid: string[], given: Set<string>): string {
  const suggestion = closestArgument(key, valid, given);
  if (suggestion) return `unknown argument \`${key}\` (did you mean \`${suggestion}\`?)`;
  const elsewhere = OTHER_TOOL[normalized(key)];
  if (elsewhere && elsewhere !== toolName) return `unknown argument \`${key}\` (${toolName} does not change that; use ${elsewhere})`;
  return `unknown argument \`${key}\``;
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
      const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const sized = issue.origin === 'string' || issue.origin === 'array';
      if (issue.code === 'too_small' && sized && limit === 1) return `\`${field}\` must not be empty`;
      const unit = issue.origin === 'string' ? ' character' : issue.origin === 'array' ? ' item' : '';
      const units = unit && limit !== 1 ? `${unit}s` : unit;
      return `\`${field}\` must ${sized ? 'have' : 'be'} ${issue.code === 'too_small' ? 'at least' : 'at most'} ${limit}${units}`;
    }
    default:
      return `\`${field}\`: ${issue.message}`;
  }
}

/**
 * Text no engine keeps as sent: a UTF-16 surrogate without its pair (in `u` mode a
 * well-formed pair is one code point outside this class), which SQLite stores as U+FFFD,
 * and U+0000, which PostgreSQL cannot store at all. Refused alike on both engines.
 */
const UNSTORABLE = /[\p{Surrogate}\u0000]/u;

/**
 * The path of a string (or key) in `args` that no engine would store as sent, if any.
 * Walked without recursion: arguments can nest deeper than the stack.
 */
function illFormedText(args: unknown): string | undefined {
  interface Visit {
    value: unknown;
    key?: string;
    parent?: Visit;
  }
  const pathOf = (visit: Visit) => {
    const keys: string[] = [];
    for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.unshift(at.key);
    return keys.join('.');
  };
  const pending: Visit[] = [{ value: args }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pathOf(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        const child = { value: inner, key, parent: visit };
        if (UNSTORABLE.test(key)) return pathOf(child);
        pending.push(child);
      }
    }
  }
  return undefined;
}

/**
 * Checks a tool's arguments against its schema. A failure becomes VALIDATION_ERROR
 * naming each bad field and what would be valid, and the hint lists the arguments,
 * so a model can fix the call in one try.
 */
export function parseArguments<S extends z.ZodObject>(toolName: string, schema: S, args: unknown): z.infer<S> {
  const badText = illFormedText(args);
  if (badText !== undefined) {
    throw validationError(`Invalid arguments for ${toolName}: \`${badText}\` is not valid Unicode text (it holds half of a surrogate pair, or a NUL character).`, {
      hint: 'Send the text again as valid Unicode without U+0000; a lone \\ud800–\\udfff escape or a NUL cannot be stored.',
    });
  }
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const shape = schema.shape as Record<string, z.ZodType>;
  const valid = Object.keys(shape);
  const given = new Set(args !== null && typeof args === 'object' ? Object.keys(args) : []);
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownArgument(toolName, key, valid, given)).join('; ');
    }
    if (issue.path.length === 0) return `the arguments must be an object of named arguments, not ${describeValue(args)}`;
    return describeIssue(issue, issue.path.map(String).join('.'), valueAt(args, issue.path), shape);
  });
  const listing = valid.map((key) => (shape[key]!.safeParse(undefined).success ? key : `${key} (required)`)).join(', ');
  throw validationError(`Invalid arguments for ${toolName}: ${problems.join('; ')}.`, {
    hint: `${toolName} takes: ${listing}.`,
  });
}
