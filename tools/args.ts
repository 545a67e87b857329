import { z } from 'zod';

/** Argument schemas several tools share, so each form is described the same way everywhere. */
export const ticketRef = (role = 'The ticket') =>
  z.string().trim().min(1).describe(`${role}: its key such as "SUP-42" (any case), or its id`);

export const agentRef = (role: string) =>
  z.string().trim().min(1).describe(`${role}: an agent id, email, or exact name (any case)`);

export const teamRef = (role: string) =>
  z.string().trim().min(1).describe(`${role}: a team id, identifier such as "SUP", or name`);

export const tagRef = (role: string) => z.string().trim().min(1).describe(`${role}: a tag id or name (any case)`);

export const expectedVersion = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe('Change only if the ticket is still at this version (from an earlier answer); otherwise CONFLICT with the current one');

export const pageSize = (defaultSize: number) =>
  z.number().int().min(1).max(100).optional().describe(`Rows per page, 1 to 100 (default ${defaultSize})`);

export const cursor = z.string().min(1).optional().describe('nextCursor from the previous page; omit for the first page');

export const email = (role: string) => z.email().describe(role);

export const instant = (role: string) =>
  z.union([z.iso.date(), z.iso.datetime({ offset: true })]).describe(`${role}: ISO 8601 date or date-time, e.g. "2026-12-01" or "2026-12-01T17:00:00Z"`);

export const statusRef = (role: string) =>
  z.string().trim().min(1).describe(`${role}: open, pending, resolved or closed; "in progress" and "ongoing" mean pending, "done" and "completed" mean resolved`);

export const metadata = z
  .record(z.string(), z.unknown())
  .describe('Free-form key/value data, e.g. {"orderId": "A-1009"}');

export const customFieldValues = z
  .array(z.record(z.string(), z.unknown()))
  .describe('Custom field values as objects, e.g. [{"customFieldId": "plan", "data": "pro"}]');

export const attachmentUrls = z.array(z.url()).describe('URLs of attached files');
