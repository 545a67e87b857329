import type { RawBuilder, Selectable } from 'kysely';
import { LIVE_STATUSES } from '../../domain/lifecycle.js';
import type { Db } from '../engine.js';
import { prepared, stableLimit } from '../prepared.js';
import type { AgentsTable } from '../tables.js';
import { containsText, startsWithText } from './like.js';

export type AgentRecord = Selectable<AgentsTable>;

export const agentById = prepared('tickets.agentById', (db, p: { id: string }) => db.selectFrom('agents').selectAll().where('id', '=', p.id));

export const agentsMatching = prepared('refs.agentsMatching', (db, p: { ws: string; text: string; key: string; limit: number }) =>
  db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', p.ws)
    .where((eb) => eb.or([eb('id', '=', p.text), eb('email_key', '=', p.key), eb('name_key', '=', p.key)]))
    .orderBy('name_key')
    .limit(stableLimit(p.limit)),
);

/** The workspace's active agents by name, names and emails alone: what a select offers. */
export const firstActiveAgents = (db: Db, ws: string, limit: number) =>
  db
    .selectFrom('agents')
    .select(['id', 'name', 'email'])
    .where('workspace_id', '=', ws)
    .where('is_active', '=', 1)
    .orderBy('name_key')
    .orderBy('id')
    .limit(stableLimit(limit))
    .execute();

/** Agents whose name or email holds the text: candidates when a reference names none. */
export const agentsResembling = (db: Db, ws: string, text: string, limit: number) =>
  db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where((eb) => eb.or([containsText('name_key', text), containsText('email_key', text)]))
    .orderBy('name_key')
    .limit(stableLimit(limit))
    .execute();

/** Agents whose folded name starts with the folded text: what a list filter's "Priya" means. */
export const agentsNamedFrom = (db: Db, ws: string, key: string, limit: number) =>
  db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where(startsWithText('name_key', key))
    .orderBy('name_key')
    .limit(stableLimit(limit))
    .execute();

/** Agents any of whose id, folded email or folded name is listed. */
export const agentsMatchingAny = (db: Db, ws: string, ids: string[], keys: string[]) =>
  db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where((eb) => eb.or([eb('id', 'in', ids), eb('email_key', 'in', keys), eb('name_key', 'in', keys)]))
    .execute();

export const agentByEmailKey = (db: Db, ws: string, emailKey: string) =>
  db.selectFrom('agents').selectAll().where('workspace_id', '=', ws).where('email_key', '=', emailKey).executeTakeFirst();

export const agentRow = (db: Db, id: string) => db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export const insertAgent = (db: Db, agent: AgentRecord) => db.insertInto('agents').values(agent).execute();

export const updateAgentRow = (db: Db, id: string, fields: Partial<Omit<AgentRecord, 'id' | 'workspace_id'>>) =>
  db.updateTable('agents').set(fields).where('id', '=', id).execute();

/** Any other active agent of the workspace. */
export const otherActiveAgent = (db: Db, ws: string, exceptId: string) =>
  db.selectFrom('agents').select('id').where('workspace_id', '=', ws).where('is_active', '=', 1).where('id', '!=', exceptId).executeTakeFirst();

/** The teams an agent belongs to, by identifier. */
export const teamsOfAgent = (db: Db, agentId: string) =>
  db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['t.id', 't.identifier'])
    .where('m.agent_id', '=', agentId)
    .orderBy('t.identifier')
    .execute();

export const teamIdentifiersOf = (db: Db, agentId: string) => teamsOfAgent(db, agentId).then((rows) => rows.map((r) => r.identifier));

/** The team's active member with the fewest live tickets; ties go to the name first in order. */
export const leastLoadedMember = (db: Db, teamId: string): Promise<AgentRecord | undefined> =>
  db
    .selectFrom('team_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .selectAll('a')
    .where('m.team_id', '=', teamId)
    .where('a.is_active', '=', 1)
    .orderBy((eb) =>
      eb
        .selectFrom('tickets as t')
        .select(eb.fn.countAll().as('load'))
        .whereRef('t.assignee_id', '=', 'a.id')
        .where('t.status', 'in', LIVE_STATUSES)
        .where('t.deleted_at', 'is', null),
    )
    .orderBy('a.name')
    .orderBy('a.id')
    .executeTakeFirst();

export interface AgentFilter {
  teamId?: string;
  kind?: 'human' | 'ai';
  includeInactive: boolean;
  search?: string;
}

/** A page of a workspace's agents by folded name, after `after` (the last name_key, id shown). */
export function agentPage(db: Db, ws: string, filter: AgentFilter, after: RawBuilder<boolean> | undefined, limit: number) {
  let query = db.selectFrom('agents').select(['id', 'name_key']).where('workspace_id', '=', ws);
  if (filter.teamId !== undefined) {
    const teamId = filter.teamId;
    query = query.where('id', 'in', (eb) => eb.selectFrom('team_members').select('agent_id').where('team_id', '=', teamId));
  }
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (!filter.includeInactive) query = query.where('is_active', '=', 1);
  if (filter.search !== undefined) {
    const search = filter.search;
    query = query.where((eb) => eb.or([containsText('name_key', search), containsText('email_key', search)]));
  }
  if (after) query = query.where(after);
  return query.orderBy('name_key').orderBy('id').limit(stableLimit(limit)).execute();
}
