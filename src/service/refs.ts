import type { Selectable } from 'kysely';
import type { Db } from '../db/engine.js';
import { ticketIdOfFormerKey } from '../db/repo/former-keys.js';
import { agentsMatching, agentsMatchingAny, agentsResembling, teamIdentifiersOf, type AgentRecord } from '../db/repo/agents.js';
import { tagMatching, type TagRecord } from '../db/repo/tags.js';
import { firstTeams, teamMatching, teamsMatchingAny } from '../db/repo/teams.js';
import { ticketById, ticketByKey, ticketsByNumber } from '../db/repo/tickets.js';
import type { TeamsTable, TicketsTable } from '../db/tables.js';
import { parseStatusName, STATUS_WORDS, type StatusName } from '../domain/lifecycle.js';
import { fold } from '../domain/text.js';
import { DomainError, notFound, validationError, type Candidate } from '../errors.js';
import type { Lookup, WorkspaceLookups } from './lookups.js';

export type { AgentRecord, TagRecord };

/**
 * Reference resolution: every argument that names a record accepts the forms a
 * person would use (an id, a key, an email, a name), scoped to the caller's workspace.
 */
export type TicketRecord = Selectable<TicketsTable> & { team_identifier: string };
export type TeamRecord = Selectable<TeamsTable>;

const TICKET_KEY = /^([A-Za-z][A-Za-z0-9]*)-(\d+)$/;
export const CANDIDATE_LIMIT = 10;

export function ambiguous(what: string, ref: string, candidates: Candidate[]): DomainError {
  return new DomainError('AMBIGUOUS', `${candidates.length} ${what}s match "${ref}".`, {
    hint: `Call again with one of the candidates' ids.`,
    candidates,
  });
}

/** A ticket key, `SUP-42` in any case: the team identifier and the number. */
export interface TicketKey {
  identifier: string;
  number: number;
}

export function parseTicketKey(ref: string): TicketKey | undefined {
  const key = TICKET_KEY.exec(ref.trim());
  return key ? { identifier: key[1]!.toUpperCase(), number: Number(key[2]) } : undefined;
}

/**
 * A ticket by id, key (`SUP-42`, any case, or a key it had before it moved to another
 * team) or bare number when only one team has it.
 */
export async function findTicket(db: Db, workspaceId: string, ref: string, { lock = false } = {}): Promise<TicketRecord> {
  const text = ref.trim();
  const key = parseTicketKey(text);
  if (key) {
    const [byKey] = await ticketByKey(db, { ws: workspaceId, ...key }, lock);
    if (byKey) return byKey;
    const [moved] = await ticketIdOfFormerKey(db, { ws: workspaceId, ...key });
    const [byFormerKey] = moved ? await ticketById(db, { ws: workspaceId, id: moved.ticket_id }, lock) : [];
    if (byFormerKey) return byFormerKey;
  } else if (/^#?\d+$/.test(text)) {
    const matches = await ticketsByNumber(db, { ws: workspaceId, number: Number(text.replace('#', '')), limit: CANDIDATE_LIMIT }, lock);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw ambiguous(
        'ticket',
        text,
        matches.map((t) => ({ id: t.id, name: `${t.team_identifier}-${t.number}: ${t.title}` })),
      );
    }
  } else {
    const [byId] = await ticketById(db, { ws: workspaceId, id: text }, lock);
    if (byId) return byId;
  }
  throw ticketNotFound(text);
}

export const ticketNotFound = (ref: string) =>
  notFound(`No ticket "${ref.trim()}" in this workspace.`, {
    hint: 'Pass a key such as SUP-12 or an id; list_tickets (with search for words in it) finds tickets.',
  });

/** An agent by id, email, or exact name (any case); a name two agents share is AMBIGUOUS. */
export async function findAgent(db: Db, workspaceId: string, ref: string): Promise<AgentRecord> {
  const text = ref.trim();
  const key = fold(text);
  const exact = await agentsMatching(db, { ws: workspaceId, text, key, limit: CANDIDATE_LIMIT });
  const byIdOrEmail = exact.find((a) => a.id === text || a.email_key === key);
  if (byIdOrEmail) return byIdOrEmail;
  if (exact.length === 1) return exact[0]!;
  const asCandidate = (a: AgentRecord): Candidate => ({ id: a.id, name: a.name, email: a.email });
  if (exact.length > 1) throw ambiguous('agent', text, await agentCandidates(db, exact));

  const similar = await agentsResembling(db, workspaceId, text, CANDIDATE_LIMIT);
  throw notFound(`No agent "${text}" in this workspace.`, {
    hint:
      similar.length > 0
        ? 'Did you mean one of the candidates? Pass its id or email.'
        : 'Pass an agent id, email or exact name; list_agents shows them, create_agent adds one.',
    ...(similar.length > 0 && { candidates: similar.map(asCandidate) }),
  });
}

/** Agents offered as candidates, with their teams and active state. */
export async function agentCandidates(db: Db, agents: AgentRecord[]): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for (const a of agents) {
    candidates.push({ id: a.id, name: a.name, email: a.email, teams: await teamIdentifiersOf(db, a.id), active: a.is_active === 1 });
  }
  return candidates;
}

/**
 * The most references one list argument (team members, an agent's teams) takes. They are
 * resolved in one query of at most 1 + 3 × 100 variables, far under SQLite's 32,766, and
 * before the write transaction, so a long list never holds the write lock.
 */
export const MAX_REFERENCES = 100;

/** Each reference once, trimmed, in the order given; more than MAX_REFERENCES is refused. */
function distinctRefs(refs: readonly string[], field: string): string[] {
  if (refs.length > MAX_REFERENCES) {
    throw validationError(`\`${field}\` must have at most ${MAX_REFERENCES} items, not ${refs.length}.`, {
      hint: 'Send the rest in another call.',
    });
  }
  return [...new Set(refs.map((ref) => ref.trim()))];
}

/**
 * Agents by id, email or exact name, each once, in one query. A reference that is not
 * exactly one agent goes through findAgent, which throws its NOT_FOUND or AMBIGUOUS
 * with candidates.
 */
export async function findAgents(db: Db, workspaceId: string, refs: readonly string[], field: string): Promise<AgentRecord[]> {
  const texts = distinctRefs(refs, field);
  if (texts.length === 0) return [];
  const keys = texts.map(fold);
  const rows = await agentsMatchingAny(db, workspaceId, texts, keys);
  const byIdOrEmail = new Map<string, AgentRecord>();
  const byName = new Map<string, AgentRecord[]>();
  for (const agent of rows) {
    byIdOrEmail.set(agent.id, agent).set(agent.email_key, agent);
    byName.set(agent.name_key, [...(byName.get(agent.name_key) ?? []), agent]);
  }
  const found = new Map<string, AgentRecord>();
  for (const [i, text] of texts.entries()) {
    const named = byName.get(keys[i]!) ?? [];
    const agent =
      byIdOrEmail.get(text) ?? byIdOrEmail.get(keys[i]!) ?? (named.length === 1 ? named[0]! : await findAgent(db, workspaceId, text));
    found.set(agent.id, agent);
  }
  return [...found.values()];
}

/** Teams by id, identifier or name, each once, in one query; an unknown one throws findTeam's NOT_FOUND. */
export async function findTeams(db: Db, workspaceId: string, refs: readonly string[], field: string): Promise<TeamRecord[]> {
  const texts = distinctRefs(refs, field);
  if (texts.length === 0) return [];
  const identifiers = texts.map((text) => text.toUpperCase());
  const keys = texts.map(fold);
  const rows = await teamsMatchingAny(db, workspaceId, texts, identifiers, keys);
  const byId = new Map(rows.map((t) => [t.id, t]));
  const byIdentifier = new Map(rows.map((t) => [t.identifier, t]));
  const byName = new Map(rows.map((t) => [t.name_key, t]));
  const found = new Map<string, TeamRecord>();
  for (const [i, text] of texts.entries()) {
    const team = byId.get(text) ?? byIdentifier.get(identifiers[i]!) ?? byName.get(keys[i]!) ?? (await findTeam(db, workspaceId, text));
    found.set(team.id, team);
  }
  return [...found.values()];
}

/** A team by id, identifier (`ENG`, any case) or name (any case). */
export async function findTeam(db: Db, workspaceId: string, ref: string): Promise<TeamRecord> {
  const text = ref.trim();
  const [team] = await teamMatching(db, { ws: workspaceId, text, identifier: text.toUpperCase(), key: fold(text) });
  if (team) return team;
  const teams = await firstTeams(db, workspaceId, CANDIDATE_LIMIT);
  throw notFound(`No team "${text}" in this workspace.`, {
    hint: 'Pass a team id, identifier (such as SUP) or name; create_team adds one.',
    candidates: teams.map((t) => ({ id: t.id, name: `${t.identifier} (${t.name})` })),
  });
}

export async function findTagOrUndefined(db: Db, workspaceId: string, ref: string): Promise<TagRecord | undefined> {
  const text = ref.trim();
  const [tag] = await tagMatching(db, { ws: workspaceId, text, key: fold(text) });
  return tag;
}

/** A tag by id or name (any case). */
export async function findTag(db: Db, workspaceId: string, ref: string): Promise<TagRecord> {
  const tag = await findTagOrUndefined(db, workspaceId, ref);
  if (tag) return tag;
  throw notFound(`No tag "${ref.trim()}" in this workspace.`, {
    hint: 'Pass a tag id or name; list_tags shows them.',
  });
}

/** A priority, sentiment or ticket type by id or name (any case), from the workspace's lookups. */
export function findLookup(rows: Lookup[], what: string, ref: string, field: string): Lookup {
  const text = ref.trim();
  const found = rows.find((r) => r.id === text || r.name.toLowerCase() === text.toLowerCase());
  if (found) return found;
  throw validationError(`\`${field}\`: no ${what} "${text}". Valid: ${rows.map((r) => r.name).join(', ')}.`);
}

/** A status by name, alias (`in progress`, `done`, …) or status id. */
export function findStatus(lookups: WorkspaceLookups, ref: string, field: string): StatusName {
  const named = parseStatusName(ref);
  if (named) return named;
  for (const [name, id] of lookups.statusIds) if (id === ref.trim()) return name;
  throw validationError(`\`${field}\`: no status "${ref}". Valid: ${STATUS_WORDS}, or a status id.`);
}
