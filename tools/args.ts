import { z } from 'zod';
import { SHORT_TEXT_MAX } from '../src/json-schema.js';
import { invisibleCharacter, invisibleMessage } from '../src/service/invisible.js';
import { MAX_BULK } from '../src/service/bulk.js';
import { MAX_REFERENCES } from '../src/service/refs.js';
import { METADATA_MAX_BYTES } from '../src/service/edits.js';
import { MAX_TAGS_PER_TICKET } from '../src/service/tags.js';

/** Argument schemas several tools share, so each form is described the same way everywhere. */

/** A reference or external id: trimmed, 1 to 200 characters (no real one is longer). */
export const shortText = () => z.string().trim().min(1).max(SHORT_TEXT_MAX);

export const ticketRef = (role = 'The ticket') =>
  shortText().describe(`${role}: key ("SUP-42") or id`);

/**
 * The bulk form of a ticket argument (`ids` beside `id`, `ticketIds` beside `ticketId`):
 * every bulk tool takes this one definition.
 */
export const ticketRefs = () =>
  z.array(shortText()).min(1).max(MAX_BULK).describe(`Or up to ${MAX_BULK} tickets, each its own change`);

type Refinement = (args: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => void;

/** Exactly one of two arguments; the issue names the first, so the error reads as its own. */
const exactlyOne =
  (single: string, many: string, several: string): Refinement =>
  (args, ctx) => {
    if (args[single] === undefined && args[many] === undefined) {
      ctx.addIssue({ code: 'custom', path: [single], message: `required, or \`${many}\` for several ${several}` });
    } else if (args[single] !== undefined && args[many] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [single], message: `give it or \`${many}\`, not both` });
    }
  };

/** A bulk tool's check: one ticket or a list of them, and a version only for one ticket. */
export const oneOrMany =
  (single: string, many: string): Refinement =>
  (args, ctx) => {
    exactlyOne(single, many, 'tickets')(args, ctx);
    if (args[many] !== undefined && args.expectedVersion !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expectedVersion'], message: `applies to one ticket: leave it out with \`${many}\`` });
    }
  };

/** The arguments of a tool that changes one ticket (`id`) or several (`ids`): its own fields between them and the version. */
export const oneOrManyTickets = <F extends z.ZodRawShape>(fields: F) =>
  z
    .strictObject({ id: ticketRef().optional(), ids: ticketRefs().optional(), ...fields, expectedVersion, detail })
    .superRefine(oneOrMany('id', 'ids'));

/** add_tag's and remove_tag's arguments: one ticket or several, one tag or several (up to a ticket's most). */
export const taggingInput = (tagRole: string) =>
  z
    .strictObject({
      ticketId: ticketRef().optional(),
      ticketIds: ticketRefs().optional(),
      tagId: tagRef(tagRole).optional(),
      tags: z.array(shortText()).min(1).max(MAX_TAGS_PER_TICKET).describe(`Or several tags; up to ${MAX_TAGS_PER_TICKET}`).optional(),
      expectedVersion,
      detail,
    })
    .superRefine(oneOrMany('ticketId', 'ticketIds'))
    .superRefine(exactlyOne('tagId', 'tags', 'tags'));

export const agentRef = (role: string) =>
  shortText().describe(`${role}: agent id, email or exact name`);

export const teamRef = (role: string) =>
  shortText().describe(`${role}: team id, identifier ("SUP") or name`);

export const tagRef = (role: string) => shortText().describe(`${role}: tag id or name`);

/** A list of references, resolved in one query: bounded so that query stays small. */
export const refList = (ref: z.ZodString, role: string) =>
  z.array(ref).max(MAX_REFERENCES).describe(`${role}; up to ${MAX_REFERENCES}`);

/** Text that names a record, or an email: no invisible characters, so two that look alike are alike. */
export function visible(value: string, ctx: z.core.$RefinementCtx<string>): void {
  const character = invisibleCharacter(value);
  if (character) ctx.addIssue({ code: 'custom', message: invisibleMessage(character) });
}

/** The name of an agent, team or account: what a model picks the record by. */
export const recordName = (max: number) => z.string().trim().min(1).max(max).superRefine(visible);

export const expectedVersion = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe('Change only at this version, else CONFLICT');

/** On the tools that answer a ticket: its concise form (fields with a value, no lookup ids) unless asked for in full. */
export const detail = z.literal('full').optional().describe('"full": all fields, ids too');

export const pageSize = (defaultSize: number) =>
  z.number().int().min(1).max(100).optional().describe(`Rows per page, 1 to 100 (default ${defaultSize})`);

export const cursor = z.string().min(1).max(500).optional().describe('nextCursor of the previous page');

/** Unicode emails too (jö@example.com): agents' and customers' addresses are not all ASCII. */
export const email = (role: string) => z.email({ pattern: z.regexes.unicodeEmail }).max(254).superRefine(visible).describe(role);

/** Size limits keep one call from filling every later answer and the history with megabytes. */
const atMostJsonBytes = (limit: number) => (value: unknown) => Buffer.byteLength(JSON.stringify(value)) <= limit;

const MAX_DEPTH = 20;

/** Nesting depth, counted without recursion: a value nested thousands deep must not overflow the stack. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const shallow = { message: `must not be nested more than ${MAX_DEPTH} levels deep`, abort: true };

/**
 * Instants are stored as UTC ISO text and compared as text, which sorts right only for
 * four-digit years: 9999-12-31T23:00-05:00 would be stored as +010000-… and sort before
 * 2000. Nothing a helpdesk schedules falls before 1970 either, so an earlier year is a typo.
 */
const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
const LATEST_INSTANT = Date.UTC(10_000, 0, 1) - 1;

export const instant = (role: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .superRefine((value, ctx) => {
      const at = Date.parse(value);
      if (at < EARLIEST_INSTANT || at > LATEST_INSTANT) {
        const utc = new Date(at).toISOString();
        ctx.addIssue({ code: 'custom', message: `must fall between 1970-01-01 and 9999-12-31 in UTC; "${value}" is ${utc} in UTC` });
      }
    })
    .describe(`${role}, ISO 8601: "2026-12-01T17:00:00Z"; a bare date "2026-12-01" means 00:00 UTC`);

export const statusRef = (role: string) =>
  shortText().describe(`${role}: open, pending, resolved or closed; "in progress" and "ongoing" mean pending, "done" and "completed" mean resolved`);

export const metadata = (role: string) =>
  z
    .record(z.string().max(100), z.unknown())
    .refine((v) => depthOf(v) <= MAX_DEPTH, shallow)
    .refine(atMostJsonBytes(METADATA_MAX_BYTES), { message: 'must be at most 16 KB as JSON' })
    .describe(`${role}, e.g. {"orderId": "A-1009"}; ≤ 16 KB`);

export const customFieldValues = (role: string) =>
  z
    .array(z.record(z.string(), z.unknown()))
    .max(100)
    .refine((v) => depthOf(v) <= MAX_DEPTH, shallow)
    .refine(atMostJsonBytes(32_768), { message: 'must be at most 32 KB as JSON' })
    .describe(`${role}, e.g. [{"customFieldId": "plan", "data": "pro"}]; ≤ 32 KB`);

export const attachmentUrls = (role: string) => z.array(z.url().max(2_048)).max(50).describe(role);
