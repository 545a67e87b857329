import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/open.js';
import type { EventsTable, TicketsTable } from '../db/tables.js';
import { conflict, invalidTransition } from '../errors.js';
import type { Caller } from './context.js';
import { STATUS_NAMES, type StatusName } from './lifecycle.js';
import { findTicket, type TicketRecord } from './refs.js';
import type { TicketDetail } from './views.js';

/** What the service answers: the data, and one sentence saying what happened. */
export interface Result<T> {
  data: T;
  message: string;
}

export type EventDraft = Pick<Insertable<EventsTable>, 'type'> & { data: Record<string, unknown> };

/** The allowed moves of one workspace, read from status_transitions once per process. */
export class Lifecycle {
  readonly #byWorkspace = new Map<string, Map<StatusName, StatusName[]>>();

  async nextStatuses(db: Db, workspaceId: string): Promise<Map<StatusName, StatusName[]>> {
    let moves = this.#byWorkspace.get(workspaceId);
    if (!moves) {
      const rows = await db
        .selectFrom('status_transitions as tr')
        .innerJoin('statuses as st', (join) =>
          join.onRef('st.workspace_id', '=', 'tr.workspace_id').onRef('st.name', '=', 'tr.to_status'),
        )
        .select(['tr.from_status', 'tr.to_status'])
        .where('tr.workspace_id', '=', workspaceId)
        .orderBy('st.position')
        .execute();
      moves = new Map(STATUS_NAMES.map((s) => [s, []]));
      for (const row of rows) moves.get(row.from_status as StatusName)?.push(row.to_status as StatusName);
      this.#byWorkspace.set(workspaceId, moves);
    }
    return moves;
  }
}

export interface ServiceDeps {
  db: Db;
  lifecycle: Lifecycle;
}

export const ticketKey = (ticket: { team_identifier: string; number: number }) =>
  `${ticket.team_identifier}-${ticket.number}`;

const parseJson = <T>(text: string): T => JSON.parse(text) as T;

/** The full ticket as it stands, read inside the caller's transaction. */
export async function readTicketDetail(deps: ServiceDeps, db: Db, ticketId: string): Promise<TicketDetail> {
  const t = await db
    .selectFrom('tickets as t')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .innerJoin('statuses as st', (join) =>
      join.onRef('st.workspace_id', '=', 't.workspace_id').onRef('st.name', '=', 't.status'),
    )
    .innerJoin('priorities as p', 'p.id', 't.priority_id')
    .innerJoin('sentiments as se', 'se.id', 't.sentiment_id')
    .innerJoin('contacts as c', 'c.id', 't.contact_id')
    .leftJoin('ticket_types as ty', 'ty.id', 't.type_id')
    .leftJoin('accounts as ac', 'ac.id', 't.account_id')
    .leftJoin('agents as ag', 'ag.id', 't.assignee_id')
    .selectAll('t')
    .select([
      'tm.name as team_name',
      'tm.identifier as team_identifier',
      'st.id as status_id',
      'p.name as priority_name',
      'se.name as sentiment_name',
      'c.email as contact_email',
      'c.first_name as contact_first_name',
      'c.last_name as contact_last_name',
      'ty.name as type_name',
      'ac.name as account_name',
      'ag.name as assignee_name',
      'ag.email as assignee_email',
    ])
    .where('t.id', '=', ticketId)
    .executeTakeFirstOrThrow();
  const tags = await db
    .selectFrom('ticket_tags as tt')
    .innerJoin('tags as g', 'g.id', 'tt.tag_id')
    .select(['g.id', 'g.name', 'g.color'])
    .where('tt.ticket_id', '=', ticketId)
    .orderBy('g.name')
    .execute();
  const status = t.status as StatusName;
  const moves = await deps.lifecycle.nextStatuses(db, t.workspace_id);
  return {
    id: t.id,
    ticketId: t.number,
    ticketIdentifier: ticketKey(t),
    title: t.title,
    description: t.description,
    status,
    statusId: t.status_id,
    nextStatuses: moves.get(status) ?? [],
    priority: t.priority_name,
    priorityId: t.priority_id,
    sentiment: t.sentiment_name,
    sentimentId: t.sentiment_id,
    type: t.type_name,
    typeId: t.type_id,
    teamId: t.team_id,
    teamName: t.team_name,
    teamIdentifier: t.team_identifier,
    account: t.account_name,
    accountId: t.account_id,
    assignedAgent: t.assignee_name,
    assignedAgentId: t.assignee_id,
    assignedAgentEmail: t.assignee_email,
    requestorEmail: t.contact_email,
    customerContactId: t.contact_id,
    customerContactFirstName: t.contact_first_name,
    customerContactLastName: t.contact_last_name,
    submitterEmail: t.submitter_email,
    dueDate: t.due_date,
    source: t.source,
    isPrivate: t.is_private === 1,
    formId: t.form_id,
    metadata: parseJson(t.metadata),
    customFieldValues: parseJson(t.custom_field_values),
    attachmentUrls: parseJson(t.attachment_urls),
    aiGeneratedTitle: t.ai_generated_title,
    aiGeneratedSummary: t.ai_generated_summary,
    chatId: t.chat_id,
    circumstance: t.circumstance,
    tags,
    createdById: t.created_by,
    completedById: t.completed_by,
    ongoingAt: t.ongoing_at,
    completedAt: t.completed_at,
    closedAt: t.closed_at,
    deletedAt: t.deleted_at,
    version: t.version,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

export type LoadedTicket = TicketRecord & { key: string };

/**
 * The ticket a change applies to: it exists and is not deleted; unless the change
 * may touch closed tickets (`action` undefined), it is not closed; and, when the
 * caller says which version it read, it is still at that version. Closed is
 * checked before the version: a retry with a fresh version would fail anyway.
 */
export async function loadForChange(
  db: Db,
  caller: Caller,
  ref: string,
  expectedVersion: number | undefined,
  action: string | undefined,
): Promise<LoadedTicket> {
  const record = await findTicket(db, caller.workspaceId, ref);
  const ticket = { ...record, key: ticketKey(record) };
  if (ticket.deleted_at) {
    throw invalidTransition(`Ticket ${ticket.key} was deleted at ${ticket.deleted_at}; a deleted ticket cannot ${action ?? 'change'}.`, {
      hint: 'Create a new ticket if the issue still needs work.',
      details: { deletedAt: ticket.deleted_at },
    });
  }
  if (action !== undefined) refuseIfClosed(ticket, action);
  refuseIfStale(ticket, expectedVersion);
  return ticket;
}

export function refuseIfStale(ticket: LoadedTicket, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && ticket.version !== expectedVersion) {
    throw conflict(
      `Ticket ${ticket.key} is at version ${ticket.version}, not ${expectedVersion}: it changed since you read it. Nothing was changed.`,
      { hint: 'Read it again with get_ticket, then retry with the new version.', details: { currentVersion: ticket.version } },
    );
  }
}

/** A closed ticket is final: nothing about it changes any more. */
function refuseIfClosed(ticket: LoadedTicket, action: string): void {
  if (ticket.status === 'closed') {
    throw invalidTransition(`Ticket ${ticket.key} is closed, and a closed ticket is final: it cannot ${action}.`, {
      hint: 'Create a new ticket (create_ticket) that refers to it if the issue needs more work.',
      details: { currentStatus: 'closed', allowedStatuses: [] },
    });
  }
}

/** The fields a move into `to` sets, or INVALID_TRANSITION naming the moves there are. */
export async function statusMove(
  deps: ServiceDeps,
  db: Db,
  caller: Caller,
  ticket: LoadedTicket,
  to: StatusName,
  at: string,
  hint?: string,
): Promise<{ patch: Updateable<TicketsTable>; event: EventDraft }> {
  const from = ticket.status as StatusName;
  const allowed = (await deps.lifecycle.nextStatuses(db, caller.workspaceId)).get(from) ?? [];
  if (!allowed.includes(to)) {
    const options = allowed.length > 0 ? `From ${from} it can move to: ${allowed.join(', ')}.` : `${from} is final.`;
    throw invalidTransition(`Ticket ${ticket.key} is ${from}; it cannot move to ${to}. ${options}`, {
      hint: hint ?? (allowed.length > 0 ? `Use set_ticket_status with one of: ${allowed.join(', ')}.` : 'Create a new ticket instead.'),
      details: { currentStatus: from, allowedStatuses: allowed },
    });
  }
  const patch: Updateable<TicketsTable> = { status: to };
  if (to === 'pending') patch.ongoing_at = at;
  if (to === 'resolved') Object.assign(patch, { completed_at: at, completed_by: caller.agentId });
  if (to === 'open') Object.assign(patch, { completed_at: null, completed_by: null });
  if (to === 'closed') patch.closed_at = at;
  return { patch, event: { type: 'status_changed', data: { from, to } } };
}

/**
 * Saves a change with its audit rows. A change is exactly its events: none means
 * nothing changed, so neither the version nor updatedAt moves.
 */
export async function saveChange(
  db: Db,
  caller: Caller,
  ticket: LoadedTicket,
  patch: Updateable<TicketsTable>,
  events: EventDraft[],
  at: string,
): Promise<boolean> {
  if (events.length === 0) return false;
  await db
    .updateTable('tickets')
    .set({ ...patch, version: ticket.version + 1, updated_at: at })
    .where('id', '=', ticket.id)
    .execute();
  await insertEvents(db, caller, ticket.id, ticket.version + 1, events, at);
  return true;
}

/** The audit rows of one change, which made `version` of the ticket. */
export async function insertEvents(
  db: Db,
  caller: Caller,
  ticketId: string,
  version: number,
  events: EventDraft[],
  at: string,
): Promise<void> {
  await db
    .insertInto('events')
    .values(
      events.map((e) => ({
        workspace_id: caller.workspaceId,
        ticket_id: ticketId,
        type: e.type,
        actor_id: caller.agentId,
        ticket_version: version,
        data: JSON.stringify(e.data),
        created_at: at,
      })),
    )
    .execute();
}
