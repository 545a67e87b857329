import type { Updateable } from 'kysely';
import type { Db } from '../db/engine.js';
import type { TicketsTable } from '../db/tables.js';
import { refuseUnassignable, statusMove } from '../domain/lifecycle.js';
import { conflict } from '../errors.js';
import type { Json, VersionGuard } from './arguments.js';
import { agentLabel, changeMessage, changesOf } from './change-message.js';
import { loadForChange, saveChange, type EventDraft, type LoadedTicket } from './changes.js';
import { now, type Caller } from './context.js';
import type { Change, ServiceDeps } from './deps.js';
import { agentOrCaller, agentRecord, agentRef, agentSummary, refuseInactive } from './participants.js';
import { sweepLapsedLease } from './lapse.js';
import { findAgent, type AgentRecord } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { TicketDetail } from './views.js';

export interface AssignTicketInput extends VersionGuard {
  id: string;
  /** null unassigns. */
  assignedAgentId: string | null;
}

export interface TakeoverInput extends VersionGuard {
  id: string;
  assigneeId?: string;
  force?: boolean;
}

export const statusNote = (before: LoadedTicket, after: TicketDetail) =>
  before.status === after.status ? '' : ` (${before.status} → ${after.status})`;

/**
 * Who holds a ticket: the assignment event when the holder changes, and the move to
 * pending when an open ticket gets someone working on it.
 */
export async function assignmentChange(
  db: Db,
  caller: Caller,
  ticket: LoadedTicket,
  agent: AgentRecord | null,
  circumstance: 'handover' | 'takeover',
  at: string,
  extra: Json = {},
): Promise<{ patch: Updateable<TicketsTable>; events: EventDraft[] }> {
  const patch: Updateable<TicketsTable> = {};
  const events: EventDraft[] = [];
  if (ticket.assignee_id !== (agent?.id ?? null)) {
    patch.assignee_id = agent?.id ?? null;
    patch.circumstance = agent ? circumstance : null;
    events.push({
      type: 'assignment_changed',
      data: {
        from: await agentSummary(db, ticket.assignee_id),
        to: agent && agentRef(agent),
        circumstance: agent ? circumstance : null,
        ...extra,
      },
    });
  }
  if (agent && ticket.status === 'open') {
    const move = statusMove(ticket, 'pending', at, caller.agentId);
    Object.assign(patch, move.patch);
    events.push(move.event);
  }
  // Whoever starts the work says how it came to them, even when the holder stays the same.
  if (agent && events.length > 0) patch.circumstance = circumstance;
  return { patch, events };
}

/** A ticket someone can be given or can claim: live (open or pending). */
export async function loadAssignable(db: Db, caller: Caller, ref: string, expectedVersion: number | undefined, action: string) {
  const ticket = await loadForChange(db, caller, ref, expectedVersion, action);
  refuseUnassignable(ticket, action);
  return ticket;
}

export async function assignTicket(deps: ServiceDeps, caller: Caller, input: AssignTicketInput): Promise<Change<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const loaded = await loadAssignable(db, caller, input.id, input.expectedVersion, 'be assigned');
    const agent = input.assignedAgentId === null ? null : await findAgent(db, caller.workspaceId, input.assignedAgentId);
    if (agent) refuseInactive(agent, 'assignedAgentId');
    // Given to someone new, a lapsed lease is recorded first; unassigning it says whom it leaves.
    const { ticket, note } = agent === null || agent.id === loaded.assignee_id ? { ticket: loaded, note: '' } : await sweepLapsedLease(db, caller, loaded, at);
    const { patch, events } = await assignmentChange(db, caller, ticket, agent, 'handover', at);
    const changed = await saveChange(db, caller, ticket, patch, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    const who = agentLabel(agent);
    return {
      data,
      changed,
      message: changed
        ? changeMessage(ticket.key, changesOf(events, agent ? { [agent.id]: who } : {}), ...(note ? [note] : []))
        : `Ticket ${ticket.key} is already assigned to ${who}; nothing changed.`,
    };
  });
}

export async function takeover(deps: ServiceDeps, caller: Caller, input: TakeoverInput): Promise<Change<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const loaded = await loadAssignable(db, caller, input.id, input.expectedVersion, 'be taken over');
    const claimer = await agentOrCaller(db, caller, input.assigneeId);
    refuseInactive(claimer, 'assigneeId');
    // A lapsed lease is back in the queue: recorded first, it leaves the ticket free to take without force.
    const { ticket, note } = loaded.assignee_id === claimer.id ? { ticket: loaded, note: '' } : await sweepLapsedLease(db, caller, loaded, at);
    const heldByOther = ticket.assignee_id !== null && ticket.assignee_id !== claimer.id;
    if (heldByOther && !input.force) {
      const { id, name, email } = await agentRecord(db, ticket.assignee_id!);
      const holder = { id, name, email };
      if (holder.id === caller.agentId) {
        throw conflict(`You hold ticket ${ticket.key}; takeover claims a ticket for whoever takes it, so it was not passed to ${claimer.name}.`, {
          hint: `To hand it to ${claimer.name}, use assign_ticket.`,
          details: { holder },
        });
      }
      throw conflict(`Ticket ${ticket.key} is held by ${holder.name} <${holder.email}>; it was not taken over.`, {
        hint: 'Leave it to them and pick another ticket, or pass force: true to take it from them.',
        details: { holder },
      });
    }
    const { patch, events } = await assignmentChange(
      db,
      caller,
      ticket,
      claimer,
      'takeover',
      at,
      heldByOther ? { forced: true } : {},
    );
    const changed = await saveChange(db, caller, ticket, patch, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    return {
      data,
      changed,
      message: changed
        ? changeMessage(ticket.key, changesOf(events, { [claimer.id]: agentLabel(claimer) }), ...(note ? [note] : []))
        : `Ticket ${ticket.key} is already held by ${agentLabel(claimer)}; nothing changed.`,
    };
  });
}
