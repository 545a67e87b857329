import type { Db } from '../db/engine.js';
import {
  agentByEmailKey,
  agentPage,
  agentsMatching,
  agentRow,
  insertAgent as insertAgentRow,
  teamIdentifiersOf,
  updateAgentRow,
} from '../db/repo/agents.js';
import { addMemberships, liveTicketCounts, removeMemberships } from '../db/repo/teams.js';
import { fold } from '../domain/text.js';
import { conflict, validationError } from '../errors.js';
import { refuseForbiddenChange } from './agent-rules.js';
import { agentLabel } from './change-message.js';
import { newId, now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { more, nameCursor, plural, type Paging } from './paging.js';
import { findAgent, findTeam, findTeams, type AgentRecord } from './refs.js';
import type { Agent, AgentPage, AgentUpdate } from './views.js';
import { assignTicket } from './assignment.js';
import { eachTicket, MAX_BULK } from './bulk.js';
import { refuseInactive } from './participants.js';
import { liveTicketIdsOf } from '../db/repo/tickets.js';

export async function readAgent(db: Db, agentId: string): Promise<Agent> {
  const agent = await agentRow(db, agentId);
  const teams = await teamIdentifiersOf(db, agentId);
  return {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    kind: agent.kind,
    active: agent.is_active === 1,
    teams,
    ...(await liveTicketCounts(db, 'assignee_id', agent.id)),
  };
}

async function refuseTakenEmail(db: Db, workspaceId: string, email: string, exceptId?: string): Promise<void> {
  const holder = await agentByEmailKey(db, workspaceId, fold(email));
  if (holder && holder.id !== exceptId) {
    throw conflict(`The email ${email} already belongs to agent ${holder.name}.`, {
      hint: 'Emails are unique per workspace; use update_agent on that agent instead.',
      candidates: [{ id: holder.id, name: holder.name, email }],
    });
  }
}

export async function insertAgent(
  db: Db,
  workspaceId: string,
  fields: { name: string; email: string; kind: 'human' | 'ai' },
  at: string,
): Promise<AgentRecord> {
  const agent: AgentRecord = {
    id: newId('agent'),
    workspace_id: workspaceId,
    name: fields.name.trim(),
    name_key: fold(fields.name),
    email: fields.email.trim(),
    email_key: fold(fields.email),
    kind: fields.kind,
    is_active: 1,
    created_at: at,
    updated_at: at,
  };
  await insertAgentRow(db, agent);
  return agent;
}

/** Said when a new agent shares its name: a name then picks neither, so refer to each by email or id. */
async function namesakeNote(db: Db, workspaceId: string, agent: Agent): Promise<string> {
  const key = fold(agent.name);
  const others = (await agentsMatching(db, { ws: workspaceId, text: agent.name, key, limit: 10 })).filter((a) => a.id !== agent.id && a.name_key === key);
  if (others.length === 0) return '';
  return ` ${others.map(agentLabel).join(', ')} ${others.length === 1 ? 'has' : 'have'} this name too: refer to them by email or id.`;
}

export interface CreateAgentInput {
  name: string;
  email: string;
  kind?: 'human' | 'ai';
  teams?: string[];
}

/**
 * References are resolved before the write transaction, so a long list never holds the
 * write lock. Agents and teams are never deleted, and their ids never change, so what
 * was found is still there inside it; the foreign keys hold it to that.
 */
export async function createAgent(deps: ServiceDeps, caller: Caller, input: CreateAgentInput): Promise<Result<Agent>> {
  const teams = await deps.engine.read((db) => findTeams(db, caller.workspaceId, input.teams ?? [], 'teams'));
  return deps.engine.write(async (db) => {
    const at = now();
    await refuseTakenEmail(db, caller.workspaceId, input.email);
    const { id } = await insertAgent(db, caller.workspaceId, { name: input.name, email: input.email, kind: input.kind ?? 'human' }, at);
    await addMemberships(db, caller.workspaceId, teams.map((t) => ({ teamId: t.id, agentId: id })), at);
    const agent = await readAgent(db, id);
    const membership = teams.length > 0 ? ` in ${agent.teams.join(', ')}` : '';
    return { data: agent, message: `Agent ${agentLabel(agent)} created${membership}.${await namesakeNote(db, caller.workspaceId, agent)}` };
  });
}

export interface UpdateAgentInput {
  id: string;
  name?: string;
  email?: string;
  kind?: 'human' | 'ai';
  active?: boolean;
  addTeams?: string[];
  removeTeams?: string[];
  /** Who takes over the agent's open and pending tickets (typically with active: false). */
  reassignTo?: string;
}

export async function updateAgent(deps: ServiceDeps, caller: Caller, input: UpdateAgentInput): Promise<Result<AgentUpdate>> {
  const { id, addTeams, removeTeams, reassignTo, ...fields } = input;
  if ([...Object.values(fields), addTeams, removeTeams, reassignTo].every((v) => v === undefined)) {
    throw validationError('update_agent needs at least one change besides `id`.', {
      hint: 'Pass name, email, kind, active, addTeams, removeTeams or reassignTo.',
    });
  }
  const { target, joining, leaving, successor } = await deps.engine.read(async (db) => ({
    target: await findAgent(db, caller.workspaceId, id),
    joining: await findTeams(db, caller.workspaceId, addTeams ?? [], 'addTeams'),
    leaving: await findTeams(db, caller.workspaceId, removeTeams ?? [], 'removeTeams'),
    successor: reassignTo === undefined ? undefined : await findAgent(db, caller.workspaceId, reassignTo),
  }));
  if (successor) {
    refuseInactive(successor, 'reassignTo');
    if (successor.id === target.id) throw validationError('`reassignTo` names the agent whose tickets it hands over; pick who takes them.');
  }
  const updated = await deps.engine.write(async (db) => {
    const at = now();
    // The agent as it is now: its kind or state may have changed since it was found.
    const agent = await agentRow(db, target.id);
    await refuseForbiddenChange(db, caller, agent, fields);
    if (fields.email !== undefined) await refuseTakenEmail(db, caller.workspaceId, fields.email, agent.id);
    await updateAgentRow(db, agent.id, {
      ...(fields.name !== undefined && { name: fields.name.trim(), name_key: fold(fields.name) }),
      ...(fields.email !== undefined && { email: fields.email, email_key: fold(fields.email) }),
      ...(fields.kind !== undefined && { kind: fields.kind }),
      ...(fields.active !== undefined && { is_active: fields.active ? 1 : 0 }),
      updated_at: at,
    });
    await addMemberships(db, caller.workspaceId, joining.map((t) => ({ teamId: t.id, agentId: agent.id })), at);
    if (leaving.length > 0) await removeMemberships(db, agent.id, leaving.map((t) => t.id));
    return readAgent(db, agent.id);
  });
  const message = `Agent ${agentLabel(updated)} updated.`;
  if (!successor) return { data: updated, message };
  // Deactivated first, so routing gives them nothing new meanwhile; then each ticket is its own handover.
  const ids = await liveTicketIdsOf(deps.engine.reader, target.id, MAX_BULK + 1);
  if (ids.length === 0) return { data: { ...updated, results: [] }, message: `${message} They held no open or pending tickets to hand over.` };
  const handover = await eachTicket(deps, caller, ids.slice(0, MAX_BULK), (ticket) => assignTicket(deps, caller, { id: ticket, assignedAgentId: successor.id }));
  const left = ids.length > MAX_BULK ? ` More remain: call again with the same reassignTo.` : '';
  return {
    data: { ...(await readAgent(deps.engine.reader, target.id)), results: handover.data.results },
    message: `${message} Handed over to ${agentLabel(successor)}: ${handover.message}${left}`,
  };
}

export interface ListAgentsInput extends Paging {
  team?: string;
  kind?: 'human' | 'ai';
  includeInactive?: boolean;
  search?: string;
}

export async function listAgents(deps: ServiceDeps, caller: Caller, input: ListAgentsInput): Promise<Result<AgentPage>> {
  const paging = nameCursor('agents', input);
  return deps.engine.read(async (db) => {
    const team = input.team === undefined ? undefined : await findTeam(db, caller.workspaceId, input.team);
    const filter = { ...(team && { teamId: team.id }), ...(input.kind && { kind: input.kind }), includeInactive: input.includeInactive === true, ...(input.search !== undefined && { search: input.search }) };
    const rows = await agentPage(db, caller.workspaceId, filter, paging.after, paging.pageSize + 1);
    const { page, nextCursor } = paging.page(rows);
    const agents: Agent[] = [];
    for (const row of page) agents.push(await readAgent(db, row.id));
    return { data: { agents, nextCursor }, message: `${plural(agents.length, 'agent')}${more(nextCursor)}.` };
  });
}
