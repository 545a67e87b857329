import type { Insertable, RawBuilder } from 'kysely';
import { LIVE_STATUSES } from '../../domain/lifecycle.js';
import type { Db } from '../engine.js';
import { prepared, stableLimit } from '../prepared.js';
import type { TeamsTable } from '../tables.js';
import { startsWithText } from './like.js';

/** The team's id by its identifier, in the caller's workspace: a key's first half, as a subquery. */
export const teamOfKey = (db: Db, ws: string, identifier: string) =>
  db.selectFrom('teams as owner').select('owner.id').where('owner.workspace_id', '=', ws).where('owner.identifier', '=', identifier);

export const teamById = prepared('tickets.teamById', (db, p: { id: string }) => db.selectFrom('teams').selectAll().where('id', '=', p.id));

export const teamMatching = prepared('refs.teamMatching', (db, p: { ws: string; text: string; identifier: string; key: string }) =>
  db
    .selectFrom('teams')
    .selectAll()
    .where('workspace_id', '=', p.ws)
    .where((eb) => eb.or([eb('id', '=', p.text), eb('identifier', '=', p.identifier), eb('name_key', '=', p.key)])),
);

/** Teams any of whose id, identifier or folded name is listed. */
export const teamsMatchingAny = (db: Db, ws: string, ids: string[], identifiers: string[], keys: string[]) =>
  db
    .selectFrom('teams')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where((eb) => eb.or([eb('id', 'in', ids), eb('identifier', 'in', identifiers), eb('name_key', 'in', keys)]))
    .execute();

/** The first teams by identifier: candidates when a reference names none. */
export const firstTeams = (db: Db, ws: string, limit: number) =>
  db.selectFrom('teams').select(['id', 'name', 'identifier']).where('workspace_id', '=', ws).orderBy('identifier').limit(stableLimit(limit)).execute();

/** The team that already has this identifier or folded name. */
export const teamClashing = (db: Db, ws: string, identifier: string, nameKey: string) =>
  db
    .selectFrom('teams')
    .select(['id', 'name', 'identifier'])
    .where('workspace_id', '=', ws)
    .where((eb) => eb.or([eb('identifier', '=', identifier), eb('name_key', '=', nameKey)]))
    .executeTakeFirst();

export const insertTeam = (db: Db, team: Insertable<TeamsTable>) => db.insertInto('teams').values(team).execute();

export const teamRow = (db: Db, id: string) => db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** A team's members as `Name <email>`, told apart when they share a name; deactivated ones marked. */
export const memberNames = (db: Db, teamId: string) =>
  db
    .selectFrom('team_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .select(['a.name', 'a.email', 'a.is_active'])
    .where('m.team_id', '=', teamId)
    .orderBy('a.name')
    .orderBy('a.email')
    .execute()
    .then((rows) => rows.map((r) => `${r.name} <${r.email}>${r.is_active === 1 ? '' : ' (inactive)'}`));

/** Memberships, each pair once: one multi-row insert. */
export async function addMemberships(db: Db, ws: string, pairs: { teamId: string; agentId: string }[], at: string): Promise<void> {
  if (pairs.length === 0) return;
  await db
    .insertInto('team_members')
    .values(pairs.map((m) => ({ workspace_id: ws, team_id: m.teamId, agent_id: m.agentId, created_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export const removeMemberships = (db: Db, agentId: string, teamIds: string[]) =>
  db.deleteFrom('team_members').where('agent_id', '=', agentId).where('team_id', 'in', teamIds).execute();

/** A page of a workspace's teams by folded name, after `after` (the last name_key, id shown). */
export function teamPage(db: Db, ws: string, after: RawBuilder<boolean> | undefined, limit: number) {
  let query = db.selectFrom('teams').select(['id', 'name_key']).where('workspace_id', '=', ws);
  if (after) query = query.where(after);
  return query.orderBy('name_key').orderBy('id').limit(stableLimit(limit)).execute();
}

/** The team's counter, bumped inside the creating transaction: no gaps, no duplicates. */
export const nextTicketNumber = prepared('tickets.nextTicketNumber', (db, p: { team: string }) =>
  db
    .updateTable('teams')
    .set((eb) => ({ ticket_counter: eb('ticket_counter', '+', 1) }))
    .where('id', '=', p.team)
    .returning('ticket_counter'),
);

/** Live (not deleted) open and pending tickets held by an agent or belonging to a team, counted apart. */
export const liveTicketCounts = (db: Db, column: 'assignee_id' | 'team_id', id: string) =>
  db
    .selectFrom('tickets')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where(column, '=', id)
    .where('status', 'in', LIVE_STATUSES)
    .where('deleted_at', 'is', null)
    .groupBy('status')
    .execute()
    .then((rows) => {
      const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { openTickets: count('open'), pendingTickets: count('pending') };
    });

/** Team identifiers that start as typed, in order. */
export const teamIdentifiersStartingWith = (db: Db, ws: string, typed: string, limit: number) =>
  db
    .selectFrom('teams')
    .select('identifier')
    .where('workspace_id', '=', ws)
    .where(startsWithText('identifier', typed))
    .orderBy('identifier')
    .limit(stableLimit(limit))
    .execute()
    .then((rows) => rows.map((r) => r.identifier));
