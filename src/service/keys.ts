import { createHash } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import type { Engine } from '../db/engine.js';
import { allApiKeys, apiKeyById, apiKeysByIdOrPrefix, insertApiKey, liveKeyByHash, revokeApiKeyRow, type ApiKeyRow } from '../db/repo/keys.js';
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
/** What is stored of a random secret (an API key, a console session's token): its SHA-256, never the secret. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
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
  keyId: string;
}

export async function createApiKey(
  engine: Engine,
  options: { workspace: string; actor: string; readOnly: boolean },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const workspace = await findWorkspace(engine.reader, options.workspace);
  const agent = await resolveActor(engine, workspace.id, options.actor);
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
  await engine.write((trx) =>
    insertApiKey(trx, {
      id: info.id,
      workspace_id: workspace.id,
      agent_id: agent.id,
      key_hash: hashSecret(key),
      key_prefix: info.prefix,
      read_only: options.readOnly ? 1 : 0,
      created_at: info.createdAt,
    }),
  );
  return { key, info };
}

const toInfo = (row: ApiKeyRow): ApiKeyInfo => ({
  id: row.id,
  prefix: row.key_prefix,
  workspace: row.workspace,
  actor: row.actor,
  readOnly: row.read_only === 1,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export async function listApiKeys(engine: Engine): Promise<ApiKeyInfo[]> {
  return (await allApiKeys(engine.reader)).map(toInfo);
}

/** Revokes by id or by the prefix `keys list` shows; a revoked key stops working at once. */
export async function revokeApiKey(engine: Engine, ref: string): Promise<ApiKeyInfo> {
  return engine.write(async (trx) => {
    const matches = await apiKeysByIdOrPrefix(trx, ref);
    if (matches.length === 0) throw notFound(`No API key "${ref}".`, { hint: 'ticket-mcp keys list shows the ids.' });
    if (matches.length > 1) throw conflict(`Several keys start with "${ref}"; revoke by id.`);
    const row = matches[0]!;
    if (row.revoked_at === null) {
      await revokeApiKeyRow(trx, row.id, now());
    }
    return toInfo(await apiKeyById(trx, row.id));
  });
}

/** The caller a bearer key stands for; undefined for a wrong or revoked key, or a deactivated agent. */
export async function authenticate(engine: Engine, key: string): Promise<Authenticated | undefined> {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  return engine.read(async (trx) => {
    const row = await liveKeyByHash(trx, hashSecret(key));
    return (
      row && {
        caller: { workspaceId: row.workspace_id, agentId: row.agent_id },
        readOnly: row.read_only === 1,
        actorName: row.name,
        keyId: row.id,
      }
    );
  });
}
