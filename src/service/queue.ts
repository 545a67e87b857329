import type { Db } from '../db/engine.js';
import { ConcurrentChange } from '../db/engine.js';
import { teamsOfAgent } from '../db/repo/agents.js';
import { pickWaitingTicket, type QueueFilter } from '../db/repo/queue.js';
import { statusMove } from '../domain/lifecycle.js';
import { isWaiting, leaseEnd } from '../domain/queue.js';
import { conflict } from '../errors.js';
import type { VersionGuard } from './arguments.js';
import { assignmentChange, loadAssignable, statusNote } from './assignment.js';
import { loadTicketForChange, saveChange } from './changes.js';
import { now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { sweepLapsedLease } from './lapse.js';
import { agentRecord, refuseInactive } from './participants.js';
import { findLookup, findTag, findTeam } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { TicketDetail } from './views.js';

export interface ClaimNextInput {
  team?: string;
  tag?: string;
  priority?: string;
  leaseSeconds?: number;
}

export interface ReleaseInput extends VersionGuard {
  id: string;
  force?: boolean;
}

/** How many picks a claim tries when the ticket it locked stopped waiting meanwhile, before the engine runs it again. */
const PICKS_PER_CLAIM = 5;

/**
 * Where a claim takes from, and how its message names that: the team given; every team
 * when only a tag is given; else the caller's teams, or every team if they belong to none.
 */
async function queueScope(deps: ServiceDeps, db: Db, caller: Caller, input: ClaimNextInput, at: string): Promise<{ filter: QueueFilter; words: string }> {
  const ws = caller.workspaceId;
  const filter: QueueFilter = { ws, at };
  let words: string;
  if (input.team !== undefined) {
    const team = await findTeam(db, ws, input.team);
    filter.teamIds = [team.id];
    words = `team ${team.identifier}`;
  } else if (input.tag !== undefined) {
    words = 'any team';
  } else {
    const teams = await teamsOfAgent(db, caller.agentId);
    if (teams.length > 0) filter.teamIds = teams.map((t) => t.id);
    words = teams.length > 0 ? `your team${teams.length === 1 ? '' : 's'} ${teams.map((t) => t.identifier).join(', ')}` : 'any team (you belong to none)';
  }
  if (input.tag !== undefined) {
    const tag = await findTag(db, ws, input.tag);
    filter.tagId = tag.id;
    words += `, tagged "${tag.name}"`;
  }
  if (input.priority !== undefined) {
    const priority = findLookup((await deps.lookups.of(db, ws)).priorities, 'priority', input.priority, 'priority');
    filter.priorityId = priority.id;
    words += `, priority ${priority.name}`;
  }
  return { filter, words };
}

const dueNote = (due: string | null, at: string) => (due === null ? '' : `, due ${due}${due < at ? ', overdue' : ''}`);

/**
 * Takes the most urgent waiting ticket for the caller (see pickWaitingTicket), as takeover
 * would: assigned with circumstance takeover, open → pending, a lapsed holder's lease
 * recorded first. The pick locks its row, skipping rows other claimers hold, and the row
 * is checked again once locked; an empty queue is a success with no ticket.
 */
export async function claimNextTicket(deps: ServiceDeps, caller: Caller, input: ClaimNextInput): Promise<Result<TicketDetail | null>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const claimer = await agentRecord(db, caller.agentId);
    refuseInactive(claimer, 'caller');
    const { filter, words } = await queueScope(deps, db, caller, input, at);
    for (let pick = 0; pick < PICKS_PER_CLAIM; pick++) {
      const id = await pickWaitingTicket(db, filter);
      if (id === undefined) return { data: null, message: `No ticket is waiting in ${words}; nothing was claimed.` };
      const locked = await loadTicketForChange(db, caller, id);
      if (!isWaiting(locked, at)) continue;
      const { ticket, note } = await sweepLapsedLease(db, caller, locked, at);
      const lease = input.leaseSeconds === undefined ? {} : { leaseSeconds: input.leaseSeconds };
      const { patch, events } = await assignmentChange(db, caller, ticket, claimer, 'takeover', at, { claimed: true, ...lease });
      if (input.leaseSeconds !== undefined) patch.lease_expires_at = leaseEnd(at, input.leaseSeconds);
      await saveChange(db, caller, ticket, patch, events, at);
      const data = await readTicketDetail(deps, db, id);
      const leaseNote = data.leaseExpiresAt ? `; lease until ${data.leaseExpiresAt}` : '';
      return {
        data,
        message: [`Claimed ${data.ticketIdentifier} (${data.priority}${dueNote(data.dueDate, at)}) from ${words}${statusNote(ticket, data)}${leaseNote}.`, note]
          .filter(Boolean)
          .join(' '),
      };
    }
    throw new ConcurrentChange('queue');
  });
}

/**
 * Hands a ticket back to the queue: unassigned, pending → open, its lease dropped. Only its
 * holder releases it, unless force (a supervisor freeing a stuck ticket) or its lease lapsed
 * (then the lapse is what is recorded, as a claim would).
 */
export async function releaseTicket(deps: ServiceDeps, caller: Caller, input: ReleaseInput): Promise<Result<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const loaded = await loadAssignable(db, caller, input.id, input.expectedVersion, 'be released');
    if (loaded.assignee_id === null) {
      return { data: await readTicketDetail(deps, db, loaded.id), message: `Ticket ${loaded.key} is not held by anyone; nothing changed.` };
    }
    const { ticket, note } = loaded.assignee_id === caller.agentId ? { ticket: loaded, note: '' } : await sweepLapsedLease(db, caller, loaded, at);
    const heldByOther = ticket.assignee_id !== null && ticket.assignee_id !== caller.agentId;
    if (heldByOther && !input.force) {
      const { id, name, email } = await agentRecord(db, ticket.assignee_id!);
      throw conflict(`Ticket ${ticket.key} is held by ${name} <${email}>; only its holder releases it, so it was not released.`, {
        hint: 'Leave it to them, or pass force: true to release it anyway.',
        details: { holder: { id, name, email } },
      });
    }
    const { patch, events } = await assignmentChange(db, caller, ticket, null, 'handover', at, { released: true, ...(heldByOther && { forced: true }) });
    if (ticket.status === 'pending') {
      const move = statusMove(ticket, 'open', at, caller.agentId);
      Object.assign(patch, move.patch);
      events.push(move.event);
    }
    await saveChange(db, caller, ticket, patch, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    return { data, message: [`Released ${ticket.key} back to the queue: unassigned${statusNote(loaded, data)}.`, note].filter(Boolean).join(' ') };
  });
}
