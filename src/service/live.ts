import { latestEventSeq, workspaceEventsAfter } from '../db/repo/events.js';
import { liveTicketCounts } from '../db/repo/queues.js';
import { firstActiveAgents } from '../db/repo/agents.js';
import { firstTeams } from '../db/repo/teams.js';
import type { Caller } from './context.js';
import type { ServiceDeps } from './deps.js';
import { ticketKey } from './ticket-view.js';

/** What a page watching a workspace needs: which tickets changed since a seq, and the queue counts. */

export interface ChangeSeen {
  seq: number;
  type: string;
  ticket: string;
}

/** At most this many events per read: a poller catching up reads again at once. */
export const EVENTS_PER_READ = 500;

export async function eventsSince(deps: ServiceDeps, caller: Caller, input: { after: number }): Promise<ChangeSeen[]> {
  const rows = await workspaceEventsAfter(deps.engine.reader, { ws: caller.workspaceId, after: Math.max(0, input.after), limit: EVENTS_PER_READ });
  return rows.map((row) => ({ seq: Number(row.seq), type: row.type, ticket: ticketKey(row) }));
}

export async function latestSeq(deps: ServiceDeps, caller: Caller): Promise<number> {
  const [row] = await latestEventSeq(deps.engine.reader, { ws: caller.workspaceId });
  return Number(row?.seq ?? 0);
}

export interface QueueCounts {
  unassigned: number;
  mine: number;
  open: number;
  pending: number;
  overdue: number;
  /** Live tickets per team id. */
  teams: Map<string, number>;
  /** The soonest due date of a live ticket not yet overdue: the overdue count holds until then. */
  nextDueAt: string | null;
}

/** Counts of live tickets (open or pending, not deleted) for each queue of the console. */
export async function queueCounts(deps: ServiceDeps, caller: Caller): Promise<QueueCounts> {
  const rows = await liveTicketCounts(deps.engine.reader, { ws: caller.workspaceId, me: caller.agentId, now: new Date().toISOString() });
  const counts: QueueCounts = { unassigned: 0, mine: 0, open: 0, pending: 0, overdue: 0, teams: new Map(), nextDueAt: null };
  for (const row of rows) {
    const n = Number(row.count);
    if (row.status === 'open') counts.open += n;
    else counts.pending += n;
    counts.unassigned += Number(row.unassigned);
    counts.mine += Number(row.mine);
    counts.overdue += Number(row.overdue);
    counts.teams.set(row.team_id, (counts.teams.get(row.team_id) ?? 0) + n);
    if (row.next_due !== null && (counts.nextDueAt === null || row.next_due < counts.nextDueAt)) counts.nextDueAt = row.next_due;
  }
  return counts;
}

/** The most teams a page's team select offers. */
export const TEAM_CHOICES = 200;

/** The workspace's teams by identifier, without list_teams' per-team ticket counts: what a select needs. */
export interface TeamChoice {
  id: string;
  name: string;
  identifier: string;
}

export async function teamChoices(deps: ServiceDeps, caller: Caller): Promise<TeamChoice[]> {
  return firstTeams(deps.engine.reader, caller.workspaceId, TEAM_CHOICES);
}

/** The most agents a page's assignee filter offers. */
export const AGENT_CHOICES = 100;

export interface AgentChoice {
  id: string;
  name: string;
  email: string;
}

/**
 * The workspace's active agents, without list_agents' teams and ticket counts (three reads
 * an agent, which on PostgreSQL made the list page's slowest part): what a filter needs.
 */
export async function agentChoices(deps: ServiceDeps, caller: Caller): Promise<AgentChoice[]> {
  return firstActiveAgents(deps.engine.reader, caller.workspaceId, AGENT_CHOICES);
}
