import { validationError } from '../errors.js';

/**
 * Opaque page cursors: the sort they belong to and the last row's position, so the
 * next page starts after that row even while rows are added (keyset paging).
 */
export function encodeCursor(sort: string, position: (string | number)[]): string {
  return Buffer.from(JSON.stringify([sort, ...position])).toString('base64url');
}

export function decodeCursor(sort: string, cursor: string, arity: number): (string | number)[] {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === arity + 1 &&
      decoded[0] === sort &&
      decoded.slice(1).every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return decoded.slice(1);
    }
  } catch {
    // falls through to the error below
  }
  throw validationError('`cursor` is not a cursor from this list with this sort.', {
    hint: 'Pass nextCursor exactly as the previous page returned it, with the same sort; omit it for the first page.',
  });
}

/** Rows past the page size mean there is a next page; the last kept row is its position. */
export function paginate<T>(rows: T[], pageSize: number, position: (row: T) => string): { page: T[]; nextCursor: string | null } {
  if (rows.length <= pageSize) return { page: rows, nextCursor: null };
  const page = rows.slice(0, pageSize);
  return { page, nextCursor: position(page.at(-1)!) };
}
