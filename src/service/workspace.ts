import type { Db } from '../db/open.js';
import { writeTransaction } from '../db/transaction.js';
import { DomainError } from '../errors.js';
import { newId, now } from './context.js';
import { STATUS_DESCRIPTIONS, STATUS_NAMES, TRANSITIONS } from './lifecycle.js';
import { findAgent, type AgentRecord } from './refs.js';

export const DEFAULT_WORKSPACE = 'default';

/** Who acts when the runtime names nobody: a built-in AI agent. */
export const BUILTIN_AGENT = { name: 'Assistant', email: 'assistant@ticket-mcp.local', kind: 'ai' } as const;

const PRIORITIES = ['Low', 'Medium', 'High', 'Urgent'];
const DEFAULT_PRIORITY = 'Medium';
const SENTIMENTS = ['Positive', 'Neutral', 'Negative'];
const DEFAULT_SENTIMENT = 'Neutral';
const TICKET_TYPES = ['Question', 'Incident', 'Problem', 'Task'];

/**
 * A workspace with what its first create_ticket needs: the lifecycle, the lookups,
 * the SUP team and the built-in agent. Returns the workspace id; a workspace that
 * already exists is left as it is, so every process may call this at start-up.
 */
export async function ensureWorkspace(db: Db, name: string = DEFAULT_WORKSPACE): Promise<string> {
  return writeTransaction(db, async (trx) => {
    const existing = await trx.selectFrom('workspaces').select('id').where('name', '=', name).executeTakeFirst();
    if (existing) return existing.id;
    const at = now();
    const ws = newId('workspace');
    await trx.insertInto('workspaces').values({ id: ws, name, created_at: at }).execute();
    await trx
      .insertInto('statuses')
      .values(
        STATUS_NAMES.map((status, position) => ({
          id: newId('status'),
          workspace_id: ws,
          name: status,
          description: STATUS_DESCRIPTIONS[status],
          position,
        })),
      )
      .execute();
    await trx
      .insertInto('status_transitions')
      .values(TRANSITIONS.map(([from, to]) => ({ workspace_id: ws, from_status: from, to_status: to })))
      .execute();
    const lookup = (names: string[], kind: 'priority' | 'sentiment', defaultName: string) =>
      names.map((n, position) => ({ id: newId(kind), workspace_id: ws, name: n, position, is_default: n === defaultName ? 1 : 0 }));
    await trx.insertInto('priorities').values(lookup(PRIORITIES, 'priority', DEFAULT_PRIORITY)).execute();
    await trx.insertInto('sentiments').values(lookup(SENTIMENTS, 'sentiment', DEFAULT_SENTIMENT)).execute();
    await trx
      .insertInto('ticket_types')
      .values(TICKET_TYPES.map((n, position) => ({ id: newId('type'), workspace_id: ws, name: n, position })))
      .execute();
    await trx
      .insertInto('teams')
      .values({ id: newId('team'), workspace_id: ws, name: 'Support', identifier: 'SUP', description: null, created_at: at, updated_at: at })
      .execute();
    await trx
      .insertInto('agents')
      .values({ id: newId('agent'), workspace_id: ws, ...BUILTIN_AGENT, created_at: at, updated_at: at })
      .execute();
    return ws;
  });
}

const looksLikeEmail = (text: string) => /^[^\s@]+@[^\s@]+$/.test(text);

/**
 * The agent a stdio session acts as: the one named by --actor / TICKETS_ACTOR (id,
 * email or name), or the built-in agent. An unknown email gets an AI agent of its
 * own, so a runtime can be configured before anyone sets up the directory.
 */
export async function resolveActor(db: Db, workspaceId: string, ref: string | undefined): Promise<AgentRecord> {
  const wanted = ref?.trim() || BUILTIN_AGENT.email;
  try {
    return await findAgent(db, workspaceId, wanted);
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'NOT_FOUND' && looksLikeEmail(wanted))) throw error;
  }
  return writeTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom('agents')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('email', '=', wanted)
      .executeTakeFirst();
    if (existing) return existing;
    const at = now();
    const agent = {
      id: newId('agent'),
      workspace_id: workspaceId,
      name: wanted.split('@')[0]!,
      email: wanted,
      kind: 'ai' as const,
      is_active: 1,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('agents').values(agent).execute();
    return agent;
  });
}
