import type { Insertable } from 'kysely';
import type { Db } from '../engine.js';
import type { IdempotencyKeysTable } from '../tables.js';

export const idempotencyRecord = (db: Db, ws: string, key: string) =>
  db.selectFrom('idempotency_keys').selectAll().where('workspace_id', '=', ws).where('key', '=', key).executeTakeFirst();

export const insertIdempotencyRecord = (db: Db, row: Insertable<IdempotencyKeysTable>) => db.insertInto('idempotency_keys').values(row).execute();
