import { sql, type RawBuilder } from 'kysely';

/**
 * The case fold every name and email is compared by: NFKC, then lower case, so
 * "Émile" meets "émile" and "Über" meets "über" (SQLite's NOCASE folds ASCII only).
 * Stored beside the text in a `*_key` column that lookups and uniqueness use.
 */
export const fold = (text: string) => text.trim().normalize('NFKC').toLowerCase();

/** Length in characters (code points), as SQLite's length() and JSON Schema count them. */
export const characters = (text: string) => [...text].length;

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
