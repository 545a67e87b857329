import { z } from 'zod';
import { invisibleCharacter, invisibleMessage } from '../src/service/invisible.js';
import { MAX_REFERENCES } from '../src/service/refs.js';
import { METADATA_MAX_BYTES } from '../src/service/edits.js';

/** Argument schemas several tools share, so each form is described the same way everywhere. */

/** A reference or external id: trimmed, 1 to 200 characters (no real one is longer). */
export const shortText = () => z.string().trim().min(1).max(200);

export const ticketRef = (role = 'The ticket') =>
  shortText().describe(`${role}: key ("SUP-42") or id`);

export const agentRef = (role: string) =>
  shortText().describe(`${role}: an agent id, email, or exact name (any case)`);

export const teamRef = (role: string) =>
  shortText().describe(`${role}: a team id, identifier such as "SUP", or name`);

export const tagRef = (role: string) => shortText().describe(`${role}: a tag id or name (any case)`);

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
  .describe('Change only if the ticket is still at this version, else CONFLICT');

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
    .describe(`${role}: ISO 8601 date or date-time from 1970 to 9999, e.g. "2026-12-01" or "2026-12-01T17:00:00Z"`);

export const statusRef = (role: string) =>
  shortText().describe(`${role}: open, pending, resolved or closed; "in progress" and "ongoing" mean pending, "done" and "completed" mean resolved`);

export const metadata = (role: string) =>
  z
    .record(z.string().max(100), z.unknown())
    .refine((v) => depthOf(v) <= MAX_DEPTH, shallow)
    .refine(atMostJsonBytes(METADATA_MAX_BYTES), { message: 'must be at most 16 KB as JSON' })
    .describe(`${role}, e.g. {"orderId": "A-1009"}; at most 16 KB as JSON`);

export const customFieldValues = (role: string) =>
  z
    .array(z.record(z.string(), z.unknown()))
    .max(100)
    .refine((v) => depthOf(v) <= MAX_DEPTH, shallow)
    .refine(atMostJsonBytes(32_768), { message: 'must be at most 32 KB as JSON' })
    .describe(`${role}, at most 100 objects and 32 KB as JSON, e.g. [{"customFieldId": "plan", "data": "pro"}]`);

export const attachmentUrls = (role: string) => z.array(z.url().max(2_048)).max(50).describe(`${role}; at most 50, each up to 2,048 characters`);
