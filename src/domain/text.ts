/**
 * The case fold every name and email is compared by: NFKC, then lower case, so
 * "Émile" meets "émile" and "Über" meets "über" (SQLite's NOCASE folds ASCII only).
 * Stored beside the text in a `*_key` column that lookups and uniqueness use.
 */
export const fold = (text: string) => text.trim().normalize('NFKC').toLowerCase();

/** Length in characters (code points), as SQLite's length() and JSON Schema count them. */
export const characters = (text: string) => [...text].length;
