import { afterName } from '../db/repo/paging.js';
import { decodeCursor, encodeCursor, paginate } from './cursor.js';

export const DEFAULT_PAGE_SIZE = 20;

export interface Paging {
  pageSize?: number;
  cursor?: string;
}

/** Directory lists page by folded name: the cursor is the last (name_key, id) shown. */
export function nameCursor(kind: string, input: Paging) {
  const after = input.cursor === undefined ? undefined : decodeCursor(kind, input.cursor, ['text', 'text']);
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    pageSize,
    after: after && afterName(after[0], after[1]),
    page<T extends { name_key: string; id: string }>(rows: T[]) {
      return paginate(rows, pageSize, (last) => encodeCursor(kind, [last.name_key, last.id]));
    },
  };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const more = (nextCursor: string | null) => (nextCursor ? '; more with nextCursor' : '');
