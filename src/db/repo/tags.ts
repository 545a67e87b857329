import type { RawBuilder, Selectable } from 'kysely';
import { LIVE_STATUSES } from '../../domain/lifecycle.js';
import type { Db } from '../engine.js';
import { prepared, stableLimit } from '../prepared.js';
import type { TagsTable } from '../tables.js';
import { containsText } from './like.js';

export type TagRecord = Selectable<TagsTable>;

export const tagMatching = prepared('refs.tagMatching', (db, p: { ws: string; text: string; key: string }) =>
  db
    .selectFrom('tags')
    .selectAll()
    .where('workspace_id', '=', p.ws)
    .where((eb) => eb.or([eb('id', '=', p.text), eb('name_key', '=', p.key)])),
);

export const tagByNameKey = (db: Db, ws: string, nameKey: string) =>
  db.selectFrom('tags').select(['id', 'name']).where('workspace_id', '=', ws).where('name_key', '=', nameKey).executeTakeFirst();

export const tagRow = (db: Db, id: string) => db.selectFrom('tags').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export const insertTag = (db: Db, tag: TagRecord) => db.insertInto('tags').values(tag).execute();

export const updateTagRow = (db: Db, id: string, fields: Partial<Omit<TagRecord, 'id' | 'workspace_id'>>) =>
  db.updateTable('tags').set(fields).where('id', '=', id).execute();

/** Live (open or pending, not deleted) tickets carrying the tag. */
export const liveTicketsTagged = (db: Db, tagId: string) =>
  db
    .selectFrom('ticket_tags as tt')
    .innerJoin('tickets as t', 't.id', 'tt.ticket_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tt.tag_id', '=', tagId)
    .where('t.status', 'in', LIVE_STATUSES)
    .where('t.deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));

/** A page of a workspace's tags by folded name, after `after` (the last name_key, id shown). */
export function tagPage(db: Db, ws: string, search: string | undefined, after: RawBuilder<boolean> | undefined, limit: number) {
  let query = db.selectFrom('tags').selectAll().where('workspace_id', '=', ws);
  if (search !== undefined) query = query.where(containsText('name_key', search));
  if (after) query = query.where(after);
  return query.orderBy('name_key').orderBy('id').limit(stableLimit(limit)).execute();
}

export const tagIdsOfTicket = (db: Db, ticketId: string) =>
  db.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', ticketId).execute().then((rows) => rows.map((r) => r.tag_id));

export const attachTag = (db: Db, row: { workspace_id: string; ticket_id: string; tag_id: string; created_by: string; created_at: string }) =>
  db.insertInto('ticket_tags').values(row).execute();

/** Whether the tag was on the ticket. */
export const detachTag = (db: Db, ticketId: string, tagId: string) =>
  db
    .deleteFrom('ticket_tags')
    .where('ticket_id', '=', ticketId)
    .where('tag_id', '=', tagId)
    .executeTakeFirst()
    .then((r) => r.numDeletedRows > 0n);

/** Up to `limit` tickets carrying the tag: a count that stops at the limit. */
export const taggedAtLeast = prepared('reads.taggedAtLeast', (db, p: { tag: string; limit: number }) =>
  db.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', p.tag).limit(stableLimit(p.limit)),
);
