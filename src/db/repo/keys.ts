import type { Insertable } from 'kysely';
import type { Db } from '../engine.js';
import type { ApiKeysTable } from '../tables.js';

export const insertApiKey = (db: Db, row: Insertable<ApiKeysTable>) => db.insertInto('api_keys').values(row).execute();

const keyRows = (db: Db) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('workspaces as w', 'w.id', 'k.workspace_id')
    .innerJoin('agents as a', 'a.id', 'k.agent_id')
    .select(['k.id', 'k.key_prefix', 'w.name as workspace', 'a.email as actor', 'k.read_only', 'k.created_at', 'k.revoked_at']);

export type ApiKeyRow = Awaited<ReturnType<ReturnType<typeof keyRows>['executeTakeFirstOrThrow']>>;

export const allApiKeys = (db: Db) => keyRows(db).orderBy('w.name').orderBy('k.created_at').execute();

export const apiKeysByIdOrPrefix = (db: Db, ref: string) =>
  keyRows(db)
    .where((eb) => eb.or([eb('k.id', '=', ref), eb('k.key_prefix', '=', ref)]))
    .execute();

export const apiKeyById = (db: Db, id: string) => keyRows(db).where('k.id', '=', id).executeTakeFirstOrThrow();

export const revokeApiKeyRow = (db: Db, id: string, at: string) => db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();

/** The live key of a hash, with its active agent. */
export const liveKeyByHash = (db: Db, hash: string) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('agents as a', 'a.id', 'k.agent_id')
    .select(['k.id', 'k.workspace_id', 'k.agent_id', 'k.read_only', 'a.name'])
    .where('k.key_hash', '=', hash)
    .where('k.revoked_at', 'is', null)
    .where('a.is_active', '=', 1)
    .executeTakeFirst();
