import { sql } from 'kysely';

/** Directory lists page by folded name: rows after the last (name_key, id) shown. */
export const afterName = (nameKey: unknown, id: unknown) => sql<boolean>`(name_key, id) > (${nameKey}, ${id})`;
