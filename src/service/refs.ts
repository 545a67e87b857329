import type { Selectable } from 'kysely';
import type { Db } from '../db/open.js';
import type { AgentsTable, TagsTable, TeamsTable, TicketsTable } from '../db/tables.js';
import { DomainError, notFound, validationError, type Candidate } from '../errors.js';
import { parseStatusName, STATUS_WORDS, type StatusName } from './lifecycle.js';
import { containsText, fold } from './text.js';

/**
 * Reference resolution: every argument that names a record accepts the forms a
 * person would use (an id, a key, an email, a name), scoped to the caller's workspace.
 */
export type TicketRecord = Selectable<TicketsTable> & { team_identifier: string };
export type AgentRecord = Selectable<AgentsTable>;
export type TeamRecord = Selectable<TeamsTable>;
export type TagRecord = Selectable<TagsTable>;

const TICKET_KEY = /^([A-Za-z][A-Za-z0-9]*)-(\d+)$/;
const CANDIDATE_LIMIT = 10;

function ambiguous(what: string, ref: string, candidates: Candidate[]): DomainError {
  return new DomainError('AMBIGUOUS', `${candidates.length} ${what}s match "${ref}".`, {
    hint: `Call again with one of the candidates' ids.`,
    candidates,
  });
}

/** A ticket by id, key (`SUP-42`, any case) or bare number when only one team has it. */
export async function findTicket(db: Db, workspaceId: string, ref: string): Promise<TicketRecord> {
  const text = ref.trim();
  const tickets = () =>
    db
      .selectFrom('tickets')
      .innerJoin('teams', 'teams.id', 'tickets.team_id')
      .selectAll('tickets')
      .select('teams.identifier as team_identifier')
      .where('tickets.workspace_id', '=', workspaceId);
  const byId = await tickets().where('tickets.id', '=', text).executeTakeFirst();
  if (byId) return byId;

  const key = TICKET_KEY.exec(text);
  if (key) {
    const byKey = await tickets()
      .where('teams.identifier', '=', key[1]!.toUpperCase())
      .where('tickets.number', '=', Number(key[2]))
      .executeTakeFirst();
    if (byKey) return byKey;
  } else if (/^#?\d+$/.test(text)) {
    const matches = await tickets()
      .where('tickets.number', '=', Number(text.replace('#', '')))
      .limit(CANDIDATE_LIMIT)
      .execute();
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw ambiguous(
        'ticket',
        text,
        matches.map((t) => ({ id: t.id, name: `${t.team_identifier}-${t.number}: ${t.title}` })),
      );
    }
  }
  throw notFound(`No ticket "${text}" in this workspace.`, {
    hint: 'Pass a key such as SUP-12 or an id; list_tickets (with search for words in it) finds tickets.',
  });
}

/** An agent by id, email, or exact name (any case); a name two agents share is AMBIGUOUS. */
export async function findAgent(db: Db, workspaceId: string, ref: string): Promise<AgentRecord> {
  const text = ref.trim();
  const key = fold(text);
  const exact = await db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', text), eb('email_key', '=', key), eb('name_key', '=', key)]))
    .orderBy('name_key')
    .limit(CANDIDATE_LIMIT)
    .execute();
  const byIdOrEmail = exact.find((a) => a.id === text || a.email_key === key);
  if (byIdOrEmail) return byIdOrEmail;
  if (exact.length === 1) return exact[0]!;
  const asCandidate = (a: AgentRecord): Candidate => ({ id: a.id, name: a.name, email: a.email });
  if (exact.length > 1) throw ambiguous('agent', text, exact.map(asCandidate));

  const similar = await db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([containsText('name_key', text), containsText('email_key', text)]))
    .orderBy('name_key')
    .limit(CANDIDATE_LIMIT)
    .execute();
  throw notFound(`No agent "${text}" in this workspace.`, {
    hint:
      similar.length > 0
        ? 'Did you mean one of the candidates? Pass its id or email.'
        : 'Pass an agent id, email or exact name; list_agents shows them, create_agent adds one.',
    ...(similar.length > 0 && { candidates: similar.map(asCandidate) }),
  });
}

/** A team by id, identifier (`ENG`, any case) or name (any case). */
export async function findTeam(db: Db, workspaceId: string, ref: string): Promise<TeamRecord> {
  const text = ref.trim();
  const team = await db
    .selectFrom('teams')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', text), eb('identifier', '=', text.toUpperCase()), eb('name_key', '=', fold(text))]))
    .executeTakeFirst();
  if (team) return team;
  const teams = await db
    .selectFrom('teams')
    .select(['id', 'name', 'identifier'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('identifier')
    .limit(CANDIDATE_LIMIT)
    .execute();
  throw notFound(`No team "${text}" in this workspace.`, {
    hint: 'Pass a team id, identifier (such as SUP) or name; create_team adds one.',
    candidates: teams.map((t) => ({ id: t.id, name: `${t.identifier} (${t.name})` })),
  });
}

export async function findTagOrUndefined(db: Db, workspaceId: string, ref: string): Promise<TagRecord | undefined> {
  const text = ref.trim();
  return db
    .selectFrom('tags')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', text), eb('name_key', '=', fold(text))]))
    .executeTakeFirst();
}

/** A tag by id or name (any case). */
export async function findTag(db: Db, workspaceId: string, ref: string): Promise<TagRecord> {
  const tag = await findTagOrUndefined(db, workspaceId, ref);
  if (tag) return tag;
  throw notFound(`No tag "${ref.trim()}" in this workspace.`, {
    hint: 'Pass a tag id or name; list_tags shows them.',
  });
}

type LookupTable = 'priorities' | 'sentiments' | 'ticket_types';
const LOOKUP_WHAT: Record<LookupTable, string> = {
  priorities: 'priority',
  sentiments: 'sentiment',
  ticket_types: 'ticket type',
};

/** A priority, sentiment or ticket type by id or name (any case). */
export async function findLookup(
  db: Db,
  workspaceId: string,
  table: LookupTable,
  ref: string,
  field: string,
): Promise<{ id: string; name: string }> {
  const text = ref.trim();
  const rows = await db
    .selectFrom(table)
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('position')
    .execute();
  const found = rows.find((r) => r.id === text || r.name.toLowerCase() === text.toLowerCase());
  if (found) return found;
  throw validationError(`\`${field}\`: no ${LOOKUP_WHAT[table]} "${text}". Valid: ${rows.map((r) => r.name).join(', ')}.`);
}

/** A status by name, alias (`in progress`, `done`, …) or status id. */
export async function findStatus(db: Db, workspaceId: string, ref: string, field: string): Promise<StatusName> {
  const byName = parseStatusName(ref);
  if (byName) return byName;
  const byId = await db
    .selectFrom('statuses')
    .select('name')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ref.trim())
    .executeTakeFirst();
  const named = byId && parseStatusName(byId.name);
  if (named) return named;
  throw validationError(`\`${field}\`: no status "${ref}". Valid: ${STATUS_WORDS}, or a status id.`);
}
