import type { Db, Engine } from '../db/engine.js';
import { agentByEmailKey } from '../db/repo/agents.js';
import { insertTeam } from '../db/repo/teams.js';
import { insertLookups, insertWorkspace, workspaceNamed as workspaceRow, workspacesWithCounts } from '../db/repo/workspaces.js';
import { STATUS_DESCRIPTIONS, STATUS_NAMES, TRANSITIONS } from '../domain/lifecycle.js';
import { fold } from '../domain/text.js';
import { conflict, DomainError, notFound, validationError } from '../errors.js';
import { insertAgent } from './agents.js';
import { DEFAULT_WORKSPACE, newId, now } from './context.js';
import { findAgent, type AgentRecord } from './refs.js';

/** Who acts when the runtime names nobody: a built-in AI agent. */
export const BUILTIN_AGENT = { name: 'Assistant', email: 'assistant@ticket-mcp.local', kind: 'ai' } as const;

export const PRIORITIES = ['Low', 'Medium', 'High', 'Urgent'];
const DEFAULT_PRIORITY = 'Medium';
const SENTIMENTS = ['Positive', 'Neutral', 'Negative'];
const DEFAULT_SENTIMENT = 'Neutral';
const TICKET_TYPES = ['Question', 'Incident', 'Problem', 'Task'];

/** Seeds a new workspace with what its first create_ticket needs: the lifecycle, the lookups, the SUP team and the built-in agent. */
async function seedWorkspace(trx: Db, name: string): Promise<string> {
  const at = now();
  const ws = newId('workspace');
  await insertWorkspace(trx, { id: ws, name, created_at: at });
  const lookup = (names: string[], kind: 'priority' | 'sentiment', defaultName: string) =>
    names.map((n, position) => ({ id: newId(kind), name: n, position, is_default: n === defaultName ? 1 : 0 }));
  await insertLookups(trx, ws, {
    statuses: STATUS_NAMES.map((status, position) => ({ id: newId('status'), name: status, description: STATUS_DESCRIPTIONS[status], position })),
    moves: TRANSITIONS.map(([from, to]) => ({ from, to })),
    priorities: lookup(PRIORITIES, 'priority', DEFAULT_PRIORITY),
    sentiments: lookup(SENTIMENTS, 'sentiment', DEFAULT_SENTIMENT),
    types: TICKET_TYPES.map((n, position) => ({ id: newId('type'), name: n, position })),
  });
  await insertTeam(trx, {
    id: newId('team'),
    workspace_id: ws,
    name: 'Support',
    name_key: fold('Support'),
    identifier: 'SUP',
    description: null,
    created_at: at,
    updated_at: at,
  });
  await insertAgent(trx, ws, BUILTIN_AGENT, at);
  return ws;
}

const workspaceNamed = (db: Db, name: string) => workspaceRow(db, name.trim());

/**
 * The workspace's id, creating and seeding it if it does not exist yet; every
 * process may call this at start-up at the same time. An existing workspace is
 * only read: a start needs no write lock, and works on a read-only database.
 */
export async function ensureWorkspace(engine: Engine, name: string = DEFAULT_WORKSPACE): Promise<string> {
  const trimmed = validWorkspaceName(name);
  const existing = await workspaceNamed(engine.reader, trimmed);
  if (existing) return existing.id;
  return engine.write(async (trx) => (await workspaceNamed(trx, trimmed))?.id ?? seedWorkspace(trx, trimmed));
}

function validWorkspaceName(name: string): string {
  const trimmed = name.trim();
  if (!/^[\w.-]{1,64}$/.test(trimmed)) {
    throw validationError(`"${name}" is not a workspace name: use 1 to 64 letters, digits, dots, dashes or underscores.`);
  }
  return trimmed;
}

export async function createWorkspace(engine: Engine, name: string): Promise<string> {
  const trimmed = validWorkspaceName(name);
  return engine.write(async (trx) => {
    if (await workspaceNamed(trx, trimmed)) throw conflict(`Workspace "${trimmed}" already exists.`);
    return seedWorkspace(trx, trimmed);
  });
}

export async function findWorkspace(db: Db, name: string): Promise<{ id: string; name: string }> {
  const workspace = await workspaceNamed(db, name);
  if (!workspace) {
    throw notFound(`No workspace "${name}".`, { hint: `Create it with: ticket-mcp workspaces create ${name}` });
  }
  return workspace;
}

export async function listWorkspaces(engine: Engine): Promise<{ name: string; createdAt: string; tickets: number }[]> {
  const rows = await workspacesWithCounts(engine.reader);
  return rows.map((r) => ({ name: r.name, createdAt: r.created_at, tickets: Number(r.tickets) }));
}

const looksLikeEmail = (text: string) => /^[^\s@]+@[^\s@]+$/.test(text);

/**
 * The agent --actor / TICKETS_ACTOR names (id, email or name; the built-in agent when
 * none), or undefined for an email the directory does not know yet.
 */
export async function findActor(db: Db, workspaceId: string, ref: string | undefined): Promise<AgentRecord | undefined> {
  const wanted = ref?.trim() || BUILTIN_AGENT.email;
  try {
    return await findAgent(db, workspaceId, wanted);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND' && looksLikeEmail(wanted)) return undefined;
    throw error;
  }
}

/**
 * The agent a stdio session acts as: the one findActor finds. An unknown email gets
 * an AI agent of its own, so a runtime can be configured before anyone sets up the
 * directory.
 */
export async function resolveActor(engine: Engine, workspaceId: string, ref: string | undefined): Promise<AgentRecord> {
  const found = await findActor(engine.reader, workspaceId, ref);
  if (found) return found;
  const wanted = ref?.trim() || BUILTIN_AGENT.email;
  return engine.write(async (trx) => {
    const existing = await agentByEmailKey(trx, workspaceId, fold(wanted));
    return existing ?? insertAgent(trx, workspaceId, { name: wanted.split('@')[0]!, email: wanted, kind: 'ai' }, now());
  });
}
