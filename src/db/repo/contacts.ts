import type { Db } from '../engine.js';
import { prepared } from '../prepared.js';

/** Contacts (who asked) and accounts (whom they belong to): created on first use, found by folded email or name. */
export const contactByEmail = prepared('tickets.contactByEmail', (db, p: { ws: string; key: string }) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', p.ws).where('email_key', '=', p.key),
);

export const contactIdByEmail = prepared('reads.contactByEmail', (db, p: { ws: string; key: string }) =>
  db.selectFrom('contacts').select('id').where('workspace_id', '=', p.ws).where('email_key', '=', p.key),
);

export const insertContact = prepared(
  'tickets.insertContact',
  (db, p: { id: string; ws: string; email: string; key: string; first: string | null; last: string | null; at: string }) =>
    db.insertInto('contacts').values({
      id: p.id,
      workspace_id: p.ws,
      email: p.email,
      email_key: p.key,
      first_name: p.first,
      last_name: p.last,
      created_at: p.at,
      updated_at: p.at,
    }),
);

export const updateContactNames = (db: Db, id: string, first_name: string | null, last_name: string | null, at: string) =>
  db.updateTable('contacts').set({ first_name, last_name, updated_at: at }).where('id', '=', id).execute();

export const accountByIdOrName = (db: Db, ws: string, id: string, nameKey: string) =>
  db
    .selectFrom('accounts')
    .select(['id', 'name'])
    .where('workspace_id', '=', ws)
    .where((eb) => eb.or([eb('id', '=', id), eb('name_key', '=', nameKey)]))
    .executeTakeFirst();

export const insertAccount = (db: Db, account: { id: string; workspace_id: string; name: string; name_key: string; created_at: string }) =>
  db.insertInto('accounts').values(account).execute();
