import type { Insertable } from 'kysely';
import type { Db } from '../engine.js';
import type { ConsoleSessionsTable } from '../tables.js';

/** Console sessions: rows keyed by the hash of their token, so every host on the database sees them. */
export const insertSession = (db: Db, row: Insertable<ConsoleSessionsTable>) => db.insertInto('console_sessions').values(row).execute();

/** A session still valid at `at`: not expired, its key (if any) not revoked, its agent active. */
export const liveSessionByHash = (db: Db, hash: string, at: string) =>
  db
    .selectFrom('console_sessions as s')
    .innerJoin('agents as a', 'a.id', 's.agent_id')
    .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
    .leftJoin('api_keys as k', 'k.id', 's.api_key_id')
    .select(['s.workspace_id', 's.agent_id', 's.read_only', 's.expires_at', 'a.name', 'a.email', 'w.name as workspace'])
    .where('s.token_hash', '=', hash)
    .where('s.expires_at', '>', at)
    .where('a.is_active', '=', 1)
    .where((eb) => eb.or([eb('s.api_key_id', 'is', null), eb('k.revoked_at', 'is', null)]))
    .executeTakeFirst();

export const deleteSessionByHash = (db: Db, hash: string) => db.deleteFrom('console_sessions').where('token_hash', '=', hash).execute();

export const deleteExpiredSessions = (db: Db, at: string) => db.deleteFrom('console_sessions').where('expires_at', '<=', at).execute();
