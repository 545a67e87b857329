import type { Updateable } from 'kysely';
import type { TicketsTable } from '../db/tables.js';
import { refuseIfStale, statusMove, statusPath, type StatusName } from '../domain/lifecycle.js';
import { liveTicketOfChat } from '../db/repo/tickets.js';
import { conflict, invalidTransition } from '../errors.js';
import type { VersionGuard } from './arguments.js';
import { agentLabel, changeMessage, changesOf } from './change-message.js';
import { loadForChange, loadTicketForChange, saveChange, type EventDraft } from './changes.js';
import { insertComment } from './comments.js';
import { now, type Caller } from './context.js';
import type { Change, ServiceDeps } from './deps.js';
import { agentOrCaller, agentRef } from './participants.js';
import { findStatus } from './refs.js';
import { readTicketDetail, ticketKey } from './ticket-view.js';
import type { TicketDetail } from './views.js';

export interface CompleteTicketInput extends VersionGuard {
  id: string;
  userId?: string;
  comment?: string;
  /** The comment is an internal note, hidden from the requestor. */
  internal?: boolean;
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

/** Completes a pending ticket, or an open one through pending: both moves are one change (one version) with both events. */
export async function completeTicket(deps: ServiceDeps, caller: Caller, input: CompleteTicketInput): Promise<Change<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, 'be completed');
    const completer = await agentOrCaller(db, caller, input.userId);
    const path = statusPath(ticket, 'resolved', at, caller.agentId);
    const events: EventDraft[] = [];
    if (input.comment !== undefined) {
      events.push((await insertComment(db, caller, ticket, completer, input.comment, input.internal ?? false, at)).event);
    }
    path.events.at(-1)!.data.completedBy = agentRef(completer);
    events.push(...path.events);
    await saveChange(db, caller, ticket, { ...path.patch, completed_by: completer.id }, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    return { data, changed: true, message: changeMessage(ticket.key, changesOf(events), `Completed by ${agentLabel(completer)}.`) };
  });
}

export async function setTicketStatus(deps: ServiceDeps, caller: Caller, input: SetTicketStatusInput): Promise<Change<TicketDetail>> {
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
    const changed = await saveChange(db, caller, ticket, patch, events, at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    const noted = input.comment === undefined ? '' : ' Your comment was added.';
    return {
      data,
      changed,
      message:
        ticket.status === to
          ? `Ticket ${ticket.key} is already ${to}; its status did not change.${noted}`
          : changeMessage(ticket.key, changesOf(events)) + noted,
    };
  });
}

export async function deleteTicket(deps: ServiceDeps, caller: Caller, input: DeleteTicketInput): Promise<Change<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadTicketForChange(db, caller, input.id);
    const key = ticket.key;
    if (ticket.deleted_at) {
      return {
        data: await readTicketDetail(deps, db, ticket.id),
        changed: false,
        message: `Ticket ${key} was already deleted at ${ticket.deleted_at}; nothing changed (restore_ticket brings it back).`,
      };
    }
    // Closed tickets may be deleted: closing is about the work, deleting about spam and mistakes.
    refuseIfStale(ticket, input.expectedVersion);
    const event: EventDraft = { type: 'deleted', data: input.reason === undefined ? {} : { reason: input.reason } };
    await saveChange(db, caller, ticket, { deleted_at: at }, [event], at, input.expectedVersion);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      changed: true,
      message: `Ticket ${key} deleted; it no longer shows in lists, and get_ticket still shows it and its history.`,
    };
  });
}

export interface RestoreTicketInput extends VersionGuard {
  id: string;
}

/** Undoes a delete: the ticket comes back as it was, unless its chat has got another live ticket meanwhile. */
export async function restoreTicket(deps: ServiceDeps, caller: Caller, input: RestoreTicketInput): Promise<Change<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadTicketForChange(db, caller, input.id);
    if (!ticket.deleted_at) {
      throw invalidTransition(`Ticket ${ticket.key} is not deleted; there is nothing to restore.`, {
        hint: 'restore_ticket only undoes delete_ticket; get_ticket shows the ticket as it is.',
        details: { deletedAt: null },
      });
    }
    refuseIfStale(ticket, input.expectedVersion);
    // An external conversation has at most one live ticket (tickets_one_live_per_chat).
    if (ticket.chat_id !== null && ticket.status !== 'closed') {
      const [live] = await liveTicketOfChat(db, { ws: caller.workspaceId, chat: ticket.chat_id });
      if (live) {
        throw conflict(`Ticket ${ticket.key} cannot be restored: its chat "${ticket.chat_id}" has a live ticket now, ${ticketKey(live)} (${live.status}).`, {
          hint: `Work on ${ticketKey(live)}, or close or delete it, then restore ${ticket.key}.`,
          details: { ticket: ticketKey(live) },
        });
      }
    }
    await saveChange(db, caller, ticket, { deleted_at: null }, [{ type: 'restored', data: {} }], at, input.expectedVersion);
    const data = await readTicketDetail(deps, db, ticket.id);
    return { data, changed: true, message: `Ticket ${ticket.key} restored (${data.status}); it shows in lists again.` };
  });
}
