import type { Db } from '../db/engine.js';
import { addMemberships, insertTeam, liveTicketCounts, memberNames, teamClashing, teamPage, teamRow } from '../db/repo/teams.js';
import { fold } from '../domain/text.js';
import { conflict, validationError } from '../errors.js';
import { newId, now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { more, nameCursor, plural, type Paging } from './paging.js';
import { findAgents } from './refs.js';
import type { Team, TeamPage } from './views.js';

async function readTeam(db: Db, teamId: string): Promise<Team> {
  const team = await teamRow(db, teamId);
  const members = await memberNames(db, teamId);
  return {
    id: team.id,
    name: team.name,
    identifier: team.identifier,
    description: team.description,
    members,
    ...(await liveTicketCounts(db, 'team_id', team.id)),
  };
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
  const members = await deps.engine.read((db) => findAgents(db, ws, input.members ?? [], 'members'));
  return deps.engine.write(async (db) => {
    const at = now();
    const clash = await teamClashing(db, ws, identifier, fold(input.name));
    if (clash) {
      throw conflict(`Team ${clash.identifier} (${clash.name}) already uses that name or identifier.`, {
        hint: 'Pick another name and identifier, or use the existing team.',
        candidates: [{ id: clash.id, name: `${clash.identifier} (${clash.name})` }],
      });
    }
    const id = newId('team');
    await insertTeam(db, {
      id,
      workspace_id: ws,
      name: input.name.trim(),
      name_key: fold(input.name),
      identifier,
      description: input.description ?? null,
      created_at: at,
      updated_at: at,
    });
    await addMemberships(db, ws, members.map((m) => ({ teamId: id, agentId: m.id })), at);
    const team = await readTeam(db, id);
    return { data: team, message: `Team ${identifier} (${team.name}) created; its tickets will be ${identifier}-1, ${identifier}-2, …` };
  });
}

export async function listTeams(deps: ServiceDeps, caller: Caller, input: Paging): Promise<Result<TeamPage>> {
  const paging = nameCursor('teams', input);
  return deps.engine.read(async (db) => {
    const rows = await teamPage(db, caller.workspaceId, paging.after, paging.pageSize + 1);
    const { page, nextCursor } = paging.page(rows);
    const teams: Team[] = [];
    for (const row of page) teams.push(await readTeam(db, row.id));
    return { data: { teams, nextCursor }, message: `${plural(teams.length, 'team')}${more(nextCursor)}.` };
  });
}
