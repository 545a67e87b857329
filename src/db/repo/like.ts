import { sql, type RawBuilder } from 'kysely';
import { fold } from '../../domain/text.js';

/** `column LIKE '%text%'` on a folded column, with LIKE's own wildcards in `text` taken literally. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const escaped = fold(text).replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<boolean>`${sql.ref(column)} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}

/** `column LIKE 'text%'`, wildcards in `text` taken literally. */
export function startsWithText(column: string, text: string): RawBuilder<boolean> {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<boolean>`${sql.ref(column)} LIKE ${`${escaped}%`} ESCAPE '\\'`;
}
