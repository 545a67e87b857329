import { sql } from 'kysely';
import type { Db } from '../db/open.js';
import { stableLimit } from '../db/prepared.js';
import { readTransaction, writeTransaction } from '../db/transaction.js';
import { conflict, validationError } from '../errors.js';
import { refuseForbiddenChange } from './agent-rules.js';
import { newId, now, type Caller } from './context.js';
import { decodeCursor, encodeCursor, paginate } from './cursor.js';
import { invisibleCharacter, invisibleMessage } from './invisible.js';
import { LIVE_STATUSES } from './lifecycle.js';
import { DEFAULT_PAGE_SIZE } from './reads.js';
import { findAgent, findAgents, findTag, findTeam, findTeams, type AgentRecord, type TagRecord, type TeamRecord } from './refs.js';
import type { Result, ServiceDeps } from './store.js';
import { characters, containsText, fold } from './text.js';
import type { Agent, AgentPage, Tag, TagPage, Team, TeamPage } from './views.js';
import type { TAG_COLORS } from './views.js';

type TagColor = (typeof TAG_COLORS)[number];

interface Paging {
  pageSize?: number;
  cursor?: string;
}

/** Directory lists page by folded name: the cursor is the last (name_key, id) shown. */
function nameCursor(kind: string, input: Paging) {
  const after = input.cursor === undefined ? undefined : decodeCursor(kind, input.cursor, ['text', 'text']);
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    pageSize,
    after: after && sql<boolean>`(name_key, id) > (${after[0]}, ${after[1]})`,
    page<T extends { name_key: string; id: string }>(rows: T[]) {
      return paginate(rows, pageSize, (last) => encodeCursor(kind, [last.name_key, last.id]));
    },
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const liveTicketCount = (db: Db, column: 'assignee_id' | 'team_id', id: string) =>
  db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, '=', id)
    .where('status', 'in', LIVE_STATUSES)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
    .then((r) => r.n);

async function readAgent(db: Db, agentId: string): Promise<Agent> {
  const agent = await db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirstOrThrow();
  const teams = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select('t.identifier')
    .where('m.agent_id', '=', agentId)
    .orderBy('t.identifier')
    .execute();
  return {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    kind: agent.kind,
    active: agent.is_active === 1,
    teams: teams.map((t) => t.identifier),
    openTickets: await liveTicketCount(db, 'assignee_id', agent.id),
  };
}

async function readTeam(db: Db, teamId: string): Promise<Team> {
  const team = await db.selectFrom('teams').selectAll().where('id', '=', teamId).executeTakeFirstOrThrow();
  const members = await db
    .selectFrom('team_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .select('a.name')
    .where('m.team_id', '=', teamId)
    .orderBy('a.name')
    .execute();
  return {
    id: team.id,
    name: team.name,
    identifier: team.identifier,
    description: team.description,
    members: members.map((m) => m.name),
    openTickets: await liveTicketCount(db, 'team_id', team.id),
  };
}

/** A tag with its count of live (open or pending, not deleted) tickets. */
async function tagView(db: Db, tag: TagRecord): Promise<Tag> {
  const { n } = await db
    .selectFrom('ticket_tags as tt')
    .innerJoin('tickets as t', 't.id', 'tt.ticket_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tt.tag_id', '=', tag.id)
    .where('t.status', 'in', LIVE_STATUSES)
    .where('t.deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    id: tag.id,
    name: tag.name,
    description: tag.description,
    color: tag.color,
    activeTicketCount: n,
    createdAt: tag.created_at,
    updatedAt: tag.updated_at,
  };
}

const readTag = async (db: Db, tagId: string) =>
  tagView(db, await db.selectFrom('tags').selectAll().where('id', '=', tagId).executeTakeFirstOrThrow());

async function refuseTakenEmail(db: Db, workspaceId: string, email: string, exceptId?: string): Promise<void> {
  const holder = await db
    .selectFrom('agents')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('email_key', '=', fold(email))
    .executeTakeFirst();
  if (holder && holder.id !== exceptId) {
    throw conflict(`The email ${email} already belongs to agent ${holder.name}.`, {
      hint: 'Emails are unique per workspace; use update_agent on that agent instead.',
      candidates: [{ id: holder.id, name: holder.name, email }],
    });
  }
}

/** One multi-row insert, however many teams (at most MAX_REFERENCES, each once). */
async function addMemberships(db: Db, caller: Caller, agentId: string, teams: TeamRecord[], at: string): Promise<void> {
  if (teams.length === 0) return;
  await db
    .insertInto('team_members')
    .values(teams.map((t) => ({ workspace_id: caller.workspaceId, team_id: t.id, agent_id: agentId, created_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute();
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
  await db.insertInto('agents').values(agent).execute();
  return agent;
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
  const teams = await readTransaction(deps.reader, (db) => findTeams(db, caller.workspaceId, input.teams ?? [], 'teams'));
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    await refuseTakenEmail(db, caller.workspaceId, input.email);
    const { id } = await insertAgent(db, caller.workspaceId, { name: input.name, email: input.email, kind: input.kind ?? 'human' }, at);
    await addMemberships(db, caller, id, teams, at);
    const agent = await readAgent(db, id);
    const membership = teams.length > 0 ? ` in ${agent.teams.join(', ')}` : '';
    return { data: agent, message: `Agent ${agent.name} <${agent.email}> created${membership}.` };
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
}

export async function updateAgent(deps: ServiceDeps, caller: Caller, input: UpdateAgentInput): Promise<Result<Agent>> {
  const { id, addTeams, removeTeams, ...fields } = input;
  if ([...Object.values(fields), addTeams, removeTeams].every((v) => v === undefined)) {
    throw validationError('update_agent needs at least one change besides `id`.', {
      hint: 'Pass name, email, kind, active, addTeams or removeTeams.',
    });
  }
  const { target, joining, leaving } = await readTransaction(deps.reader, async (db) => ({
    target: await findAgent(db, caller.workspaceId, id),
    joining: await findTeams(db, caller.workspaceId, addTeams ?? [], 'addTeams'),
    leaving: await findTeams(db, caller.workspaceId, removeTeams ?? [], 'removeTeams'),
  }));
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    // The agent as it is now: its kind or state may have changed since it was found.
    const agent = await db.selectFrom('agents').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
    await refuseForbiddenChange(db, caller, agent, fields);
    if (fields.email !== undefined) await refuseTakenEmail(db, caller.workspaceId, fields.email, agent.id);
    await db
      .updateTable('agents')
      .set({
        ...(fields.name !== undefined && { name: fields.name.trim(), name_key: fold(fields.name) }),
        ...(fields.email !== undefined && { email: fields.email, email_key: fold(fields.email) }),
        ...(fields.kind !== undefined && { kind: fields.kind }),
        ...(fields.active !== undefined && { is_active: fields.active ? 1 : 0 }),
        updated_at: at,
      })
      .where('id', '=', agent.id)
      .execute();
    await addMemberships(db, caller, agent.id, joining, at);
    if (leaving.length > 0) {
      await db
        .deleteFrom('team_members')
        .where('agent_id', '=', agent.id)
        .where(
          'team_id',
          'in',
          leaving.map((t) => t.id),
        )
        .execute();
    }
    const updated = await readAgent(db, agent.id);
    return { data: updated, message: `Agent ${updated.name} <${updated.email}> updated.` };
  });
}

export interface ListAgentsInput extends Paging {
  team?: string;
  kind?: 'human' | 'ai';
  includeInactive?: boolean;
  search?: string;
}

export async function listAgents(deps: ServiceDeps, caller: Caller, input: ListAgentsInput): Promise<Result<AgentPage>> {
  const paging = nameCursor('agents', input);
  return readTransaction(deps.reader, async (db) => {
    let query = db.selectFrom('agents').select(['id', 'name_key']).where('workspace_id', '=', caller.workspaceId);
    if (input.team !== undefined) {
      const team = await findTeam(db, caller.workspaceId, input.team);
      query = query.where('id', 'in', (eb) => eb.selectFrom('team_members').select('agent_id').where('team_id', '=', team.id));
    }
    if (input.kind !== undefined) query = query.where('kind', '=', input.kind);
    if (!input.includeInactive) query = query.where('is_active', '=', 1);
    if (input.search !== undefined) {
      const search = input.search;
      query = query.where((eb) => eb.or([containsText('name_key', search), containsText('email_key', search)]));
    }
    if (paging.after) query = query.where(paging.after);
    const rows = await query.orderBy('name_key').orderBy('id').limit(stableLimit(paging.pageSize + 1)).execute();
    const { page, nextCursor } = paging.page(rows);
    const agents: Agent[] = [];
    for (const row of page) agents.push(await readAgent(db, row.id));
    return { data: { agents, nextCursor }, message: `${plural(agents.length, 'agent')}${nextCursor ? '; more with nextCursor' : ''}.` };
  });
}

const TEAM_IDENTIFIER = /^[A-Z][A-Z0-9]{1,9}$/;

export interface CreateTeamInput {
  name: string;
  identifier: string;
  description?: string;
  members?: string[];
}

export async function createTeam(deps: ServiceDeps, caller: Caller, input: CreateTeamInput): Promise<Result<Team>> {
  const identifier = input.identifier.trim().toUpperCase();
  if (!TEAM_IDENTIFIER.test(identifier)) {
    throw validationError(`\`identifier\`: "${input.identifier}" is not a team identifier.`, {
      hint: 'Use 2 to 10 letters or digits starting with a letter, such as ENG or OPS2; it prefixes ticket keys (ENG-42).',
    });
  }
  const ws = caller.workspaceId;
  // Resolved before the write lock, as in createAgent.
  const members = await readTransaction(deps.reader, (db) => findAgents(db, ws, input.members ?? [], 'members'));
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const clash = await db
      .selectFrom('teams')
      .select(['id', 'name', 'identifier'])
      .where('workspace_id', '=', ws)
      .where((eb) => eb.or([eb('identifier', '=', identifier), eb('name_key', '=', fold(input.name))]))
      .executeTakeFirst();
    if (clash) {
      throw conflict(`Team ${clash.identifier} (${clash.name}) already uses that name or identifier.`, {
        hint: 'Pick another name and identifier, or use the existing team.',
        candidates: [{ id: clash.id, name: `${clash.identifier} (${clash.name})` }],
      });
    }
    const id = newId('team');
    await db
      .insertInto('teams')
      .values({
        id,
        workspace_id: ws,
        name: input.name.trim(),
        name_key: fold(input.name),
        identifier,
        description: input.description ?? null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    if (members.length > 0) {
      await db
        .insertInto('team_members')
        .values(members.map((m) => ({ workspace_id: ws, team_id: id, agent_id: m.id, created_at: at })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const team = await readTeam(db, id);
    return { data: team, message: `Team ${identifier} (${team.name}) created; its tickets will be ${identifier}-1, ${identifier}-2, …` };
  });
}

export async function listTeams(deps: ServiceDeps, caller: Caller, input: Paging): Promise<Result<TeamPage>> {
  const paging = nameCursor('teams', input);
  return readTransaction(deps.reader, async (db) => {
    let query = db.selectFrom('teams').select(['id', 'name_key']).where('workspace_id', '=', caller.workspaceId);
    if (paging.after) query = query.where(paging.after);
    const rows = await query.orderBy('name_key').orderBy('id').limit(stableLimit(paging.pageSize + 1)).execute();
    const { page, nextCursor } = paging.page(rows);
    const teams: Team[] = [];
    for (const row of page) teams.push(await readTeam(db, row.id));
    return { data: { teams, nextCursor }, message: `${plural(teams.length, 'team')}${nextCursor ? '; more with nextCursor' : ''}.` };
  });
}

async function refuseTakenTagName(db: Db, workspaceId: string, name: string, exceptId?: string): Promise<void> {
  const holder = await db
    .selectFrom('tags')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('name_key', '=', fold(name))
    .executeTakeFirst();
  if (holder && holder.id !== exceptId) {
    throw conflict(`A tag named "${holder.name}" already exists (names ignore case).`, {
      hint: 'Use the existing tag, or pick another name.',
      candidates: [{ id: holder.id, name: holder.name }],
    });
  }
}

export interface CreateTagInput {
  name: string;
  description?: string;
  color?: TagColor;
}

/** A new tag, its name checked in characters as the schema counts them; add_tag creates tags through it too. */
export async function insertTag(
  db: Db,
  workspaceId: string,
  fields: { name: string; description?: string; color?: TagColor },
  at: string,
  field = 'name',
): Promise<TagRecord> {
  const name = validTagName(fields.name, field);
  await refuseTakenTagName(db, workspaceId, name);
  const tag: TagRecord = {
    id: newId('tag'),
    workspace_id: workspaceId,
    name,
    name_key: fold(name),
    description: fields.description ?? null,
    color: fields.color ?? 'default',
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('tags').values(tag).execute();
  return tag;
}

function validTagName(text: string, field: string): string {
  const name = text.trim();
  const length = characters(name);
  if (length < 3 || length > 50) {
    throw validationError(`\`${field}\`: a tag name needs 3 to 50 characters; "${name}" has ${length}.`);
  }
  // add_tag names a new tag by its tagId reference, which the tool's schema does not check as a name.
  const invisible = invisibleCharacter(name);
  if (invisible) throw validationError(`\`${field}\` ${invisibleMessage(invisible)}.`);
  return name;
}

export async function createTag(deps: ServiceDeps, caller: Caller, input: CreateTagInput): Promise<Result<Tag>> {
  return writeTransaction(deps.db, async (db) => {
    const tag = await tagView(db, await insertTag(db, caller.workspaceId, input, now()));
    return { data: tag, message: `Tag "${tag.name}" created.` };
  });
}

export interface UpdateTagInput {
  id: string;
  name?: string;
  description?: string | null;
  color?: TagColor;
}

export async function updateTag(deps: ServiceDeps, caller: Caller, input: UpdateTagInput): Promise<Result<Tag>> {
  const { id, ...fields } = input;
  if (Object.values(fields).every((v) => v === undefined)) {
    throw validationError('update_tag needs at least one change besides `id`.', { hint: 'Pass name, description or color.' });
  }
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const tag = await findTag(db, caller.workspaceId, id);
    const name = fields.name === undefined ? undefined : validTagName(fields.name, 'name');
    if (name !== undefined) await refuseTakenTagName(db, caller.workspaceId, name, tag.id);
    await db
      .updateTable('tags')
      .set({
        ...(name !== undefined && { name, name_key: fold(name) }),
        ...(fields.description !== undefined && { description: fields.description }),
        ...(fields.color !== undefined && { color: fields.color }),
        updated_at: at,
      })
      .where('id', '=', tag.id)
      .execute();
    const updated = await readTag(db, tag.id);
    return { data: updated, message: `Tag "${updated.name}" updated.` };
  });
}

export interface ListTagsInput extends Paging {
  search?: string;
}

export async function listTags(deps: ServiceDeps, caller: Caller, input: ListTagsInput): Promise<Result<TagPage>> {
  const paging = nameCursor('tags', input);
  return readTransaction(deps.reader, async (db) => {
    let query = db.selectFrom('tags').selectAll().where('workspace_id', '=', caller.workspaceId);
    if (input.search !== undefined) query = query.where(containsText('name_key', input.search));
    if (paging.after) query = query.where(paging.after);
    const rows = await query.orderBy('name_key').orderBy('id').limit(stableLimit(paging.pageSize + 1)).execute();
    const { page, nextCursor } = paging.page(rows);
    const tags: Tag[] = [];
    for (const row of page) tags.push(await tagView(db, row));
    return { data: { tags, nextCursor }, message: `${plural(tags.length, 'tag')}${nextCursor ? '; more with nextCursor' : ''}.` };
  });
}
