import { createHash } from 'node:crypto';
import { validationError } from '../errors.js';

/**
 * Opaque page cursors: the list they belong to (its sort, and a fingerprint of its
 * filters) and the last row's position, so the next page starts after that row even
 * while rows are added (keyset paging). A cursor that is not exactly one this list
 * handed out is refused, never read as some other position: a junk position would
 * answer an empty or wrong page that looks like the end of the list.
 */

/** What a position field holds: a row's seq (a positive integer), a rank (an integer), a stored ISO timestamp, or a text key. */
export type CursorField = 'seq' | 'rank' | 'instant' | 'text';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TEXT_MAX = 1_000;

const VALID: Record<CursorField, (value: unknown) => boolean> = {
  seq: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
  rank: (v) => Number.isSafeInteger(v),
  instant: (v) => typeof v === 'string' && ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
  text: (v) => typeof v === 'string' && v.length <= TEXT_MAX,
};

/** A short digest of the filters a list ran with; the same filters give the same fingerprint. */
const fingerprint = (filters: unknown) =>
  filters === undefined ? '' : createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);

export function encodeCursor(kind: string, position: (string | number)[], filters?: unknown): string {
  return Buffer.from(JSON.stringify([kind, fingerprint(filters), ...position])).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decoded(cursor: string): unknown {
  if (!BASE64URL.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The position a cursor holds, if it was made by this list (same kind, same filters) with these fields; else VALIDATION_ERROR. */
export function decodeCursor(kind: string, cursor: string, fields: CursorField[], filters?: unknown): (string | number)[] {
  const value = decoded(cursor);
  if (
    Array.isArray(value) &&
    value.length === fields.length + 2 &&
    value[0] === kind &&
    value[1] === fingerprint(filters) &&
    fields.every((field, i) => VALID[field](value[i + 2]))
  ) {
    return value.slice(2) as (string | number)[];
  }
  throw validationError('`cursor` is not a cursor of this list: it was made for other filters or another sort, or it was changed.', {
    hint: 'Start over without a cursor for the first page, then pass each nextCursor exactly as it came, with the same filters and sort.',
  });
}

/** Rows past the page size mean there is a next page; the last kept row is its position. */
export function paginate<T>(rows: T[], pageSize: number, position: (row: T) => string): { page: T[]; nextCursor: string | null } {
  if (rows.length <= pageSize) return { page: rows, nextCursor: null };
  const page = rows.slice(0, pageSize);
  return { page, nextCursor: position(page.at(-1)!) };
}
