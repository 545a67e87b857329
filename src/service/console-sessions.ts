import { randomBytes } from 'node:crypto';
import type { Engine } from '../db/engine.js';
import { deleteExpiredSessions, deleteSessionByHash, insertSession, liveSessionByHash } from '../db/repo/sessions.js';
import { newId, now, type Caller } from './context.js';
import { hashSecret } from './keys.js';

/**
 * Sessions of the web console. The browser holds a random token in a cookie; only its
 * SHA-256 is stored, so a copy of the database signs nobody in. A session made from an
 * API key ends when the key is revoked; one made by `ticket-mcp console` has no key.
 */
export const SESSION_HOURS = 12;


export interface SessionGrant {
  caller: Caller;
  readOnly: boolean;
  /** The key it was made from; undefined for the local console. */
  keyId?: string;
}

export interface ConsoleSession {
  caller: Caller;
  readOnly: boolean;
  actorName: string;
  actorEmail: string;
  workspace: string;
  expiresAt: string;
}

export async function createSession(engine: Engine, grant: SessionGrant): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const createdAt = now();
  const expiresAt = new Date(Date.parse(createdAt) + SESSION_HOURS * 3_600_000).toISOString();
  await engine.write(async (trx) => {
    await deleteExpiredSessions(trx, createdAt);
    await insertSession(trx, {
      id: newId('session'),
      token_hash: hashSecret(token),
      workspace_id: grant.caller.workspaceId,
      agent_id: grant.caller.agentId,
      api_key_id: grant.keyId ?? null,
      read_only: grant.readOnly ? 1 : 0,
      created_at: createdAt,
      expires_at: expiresAt,
    });
  });
  return { token, expiresAt };
}

export async function findSession(engine: Engine, token: string): Promise<ConsoleSession | undefined> {
  const row = await liveSessionByHash(engine.reader, hashSecret(token), now());
  return (
    row && {
      caller: { workspaceId: row.workspace_id, agentId: row.agent_id },
      readOnly: row.read_only === 1,
      actorName: row.name,
      actorEmail: row.email,
      workspace: row.workspace,
      expiresAt: row.expires_at,
    }
  );
}

export async function endSession(engine: Engine, token: string): Promise<void> {
  await engine.write((trx) => deleteSessionByHash(trx, hashSecret(token)));
}
