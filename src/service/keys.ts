import { createHash } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import type { Db } from '../db/open.js';
import { readTransaction, writeTransaction } from '../db/transaction.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, type Caller } from './context.js';
import { findWorkspace, resolveActor } from './workspace.js';

/**
 * API keys for the HTTP transport. A key decides the workspace and the agent every
 * call acts as; only its SHA-256 is stored (a key has ~238 random bits, so a fast
 * hash is enough), and the key itself is shown once, when created.
 */
const KEY_PREFIX = 'tmcp_';
const secret = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 40);
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export interface ApiKeyInfo {
  id: string;
  prefix: string;
  workspace: string;
  actor: string;
  readOnly: boolean;
  createdAt: string;
  revokedAt: string | null;
}

export interface Authenticated {
  caller: Caller;
  readOnly: boolean;
  actorName: string;
}

export async function createApiKey(
  db: Db,
  options: { workspace: string; actor: string; readOnly: boolean },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const workspace = await findWorkspace(db, options.workspace);
  const agent = await resolveActor(db, workspace.id, options.actor);
  const key = `${KEY_PREFIX}${secret()}`;
  const info: ApiKeyInfo = {
    id: newId('key'),
    prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
    workspace: workspace.name,
    actor: agent.email,
    readOnly: options.readOnly,
    createdAt: now(),
    revokedAt: null,
  };
  await writeTransaction(db, (trx) =>
    trx
      .insertInto('api_keys')
      .values({
        id: info.id,
        workspace_id: workspace.id,
        agent_id: agent.id,
        key_hash: hashKey(key),
        key_prefix: info.prefix,
        read_only: options.readOnly ? 1 : 0,
        created_at: info.createdAt,
      })
      .execute(),
  );
  return { key, info };
}

const keyRows = (db: Db) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('workspaces as w', 'w.id', 'k.workspace_id')
    .innerJoin('agents as a', 'a.id', 'k.agent_id')
    .select(['k.id', 'k.key_prefix', 'w.name as workspace', 'a.email as actor', 'k.read_only', 'k.created_at', 'k.revoked_at']);

const toInfo = (row: Awaited<ReturnType<ReturnType<typeof keyRows>['executeTakeFirstOrThrow']>>): ApiKeyInfo => ({
  id: row.id,
  prefix: row.key_prefix,
  workspace: row.workspace,
  actor: row.actor,
  readOnly: row.read_only === 1,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export async function listApiKeys(db: Db): Promise<ApiKeyInfo[]> {
  const rows = await keyRows(db).orderBy('w.name').orderBy('k.created_at').execute();
  return rows.map(toInfo);
}

/** Revokes by id or by the prefix `keys list` shows; a revoked key stops working at once. */
export async function revokeApiKey(db: Db, ref: string): Promise<ApiKeyInfo> {
  return writeTransaction(db, async (trx) => {
    const matches = await keyRows(trx)
      .where((eb) => eb.or([eb('k.id', '=', ref), eb('k.key_prefix', '=', ref)]))
      .execute();
    if (matches.length === 0) throw notFound(`No API key "${ref}".`, { hint: 'ticket-mcp keys list shows the ids.' });
    if (matches.length > 1) throw conflict(`Several keys start with "${ref}"; revoke by id.`);
    const row = matches[0]!;
    if (row.revoked_at === null) {
      await trx.updateTable('api_keys').set({ revoked_at: now() }).where('id', '=', row.id).execute();
    }
    return toInfo((await keyRows(trx).where('k.id', '=', row.id).executeTakeFirstOrThrow()));
  });
}

/** The caller a bearer key stands for; undefined for a wrong or revoked key, or a deactivated agent. */
export async function authenticate(db: Db, key: string): Promise<Authenticated | undefined> {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  return readTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('api_keys as k')
      .innerJoin('agents as a', 'a.id', 'k.agent_id')
      .select(['k.workspace_id', 'k.agent_id', 'k.read_only', 'a.name'])
      .where('k.key_hash', '=', hashKey(key))
      .where('k.revoked_at', 'is', null)
      .where('a.is_active', '=', 1)
      .executeTakeFirst();
    return (
      row && {
        caller: { workspaceId: row.workspace_id, agentId: row.agent_id },
        readOnly: row.read_only === 1,
        actorName: row.name,
      }
    );
  });
}
