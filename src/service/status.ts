import type { Updateable } from 'kysely';
import type { TicketsTable } from '../db/tables.js';
import { refuseIfStale, statusMove, type StatusName } from '../domain/lifecycle.js';
import type { VersionGuard } from './arguments.js';
import { agentLabel, changeMessage, changesOf } from './change-message.js';
import { loadForChange, loadTicketForChange, saveChange, type EventDraft } from './changes.js';
import { insertComment } from './comments.js';
import { now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { agentOrCaller, agentRef } from './participants.js';
import { findStatus } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { TicketDetail } from './views.js';

export interface CompleteTicketInput extends VersionGuard {
  id: string;
  userId?: string;
  comment?: string;
}

export interface SetTicketStatusInput extends VersionGuard {
  id: string;
  status: string;
  comment?: string;
}

export interface DeleteTicketInput extends VersionGuard {
  id: string;
  confirm: true;
  reason?: string;
}

export async function completeTicket(deps: ServiceDeps, caller: Caller, input: CompleteTicketInput): Promise<Result<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, 'be completed');
    const completer = await agentOrCaller(db, caller, input.userId);
    const move = statusMove(
      ticket,
      'resolved',
      at,
      caller.agentId,
      ticket.status === 'open'
        ? 'Only a pending ticket can be completed: take it over or assign it first (that moves it to pending).'
        : undefined,
    );
    const events: EventDraft[] = [];
    if (input.comment !== undefined) {
      events.push((await insertComment(db, caller, ticket, completer, input.comment, false, at)).event);
    }
    move.event.data.completedBy = agentRef(completer);
    events.push(move.event);
    await saveChange(db, caller, ticket, { ...move.patch, completed_by: completer.id }, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    return { data, message: changeMessage(ticket.key, changesOf(events), `Completed by ${agentLabel(completer)}.`) };
  });
}

export async function setTicketStatus(deps: ServiceDeps, caller: Caller, input: SetTicketStatusInput): Promise<Result<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const to: StatusName = findStatus(await deps.lookups.of(db, caller.workspaceId), input.status, 'status');
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, `move to ${to}`);
    const events: EventDraft[] = [];
    let patch: Updateable<TicketsTable> = {};
    if (ticket.status !== to) {
      const move = statusMove(ticket, to, at, caller.agentId);
      patch = move.patch;
      events.push(move.event);
    }
    if (input.comment !== undefined) {
      events.unshift((await insertComment(db, caller, ticket, undefined, input.comment, false, at)).event);
    }
    await saveChange(db, caller, ticket, patch, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    const noted = input.comment === undefined ? '' : ' Your comment was added.';
    return {
      data,
      message:
        ticket.status === to
          ? `Ticket ${ticket.key} is already ${to}; its status did not change.${noted}`
          : changeMessage(ticket.key, changesOf(events)) + noted,
    };
  });
}

export async function deleteTicket(deps: ServiceDeps, caller: Caller, input: DeleteTicketInput): Promise<Result<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadTicketForChange(db, caller, input.id);
    const key = ticket.key;
    if (ticket.deleted_at) {
      return {
        data: await readTicketDetail(deps, db, ticket.id),
        message: `Ticket ${key} was already deleted at ${ticket.deleted_at}; nothing changed.`,
      };
    }
    // Closed tickets may be deleted: closing is about the work, deleting about spam and mistakes.
    refuseIfStale(ticket, input.expectedVersion);
    const event: EventDraft = { type: 'deleted', data: input.reason === undefined ? {} : { reason: input.reason } };
    await saveChange(db, caller, ticket, { deleted_at: at }, [event], at, input.expectedVersion);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      message: `Ticket ${key} deleted; it no longer shows in lists, and get_ticket still shows it and its history.`,
    };
  });
}
