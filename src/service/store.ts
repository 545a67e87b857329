import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/open.js';
import { prepared, runPrepared } from '../db/prepared.js';
import type { EventsTable, TicketsTable } from '../db/tables.js';
import { conflict, invalidTransition } from '../errors.js';
import type { Caller } from './context.js';
import { STATUS_NAMES, type StatusName } from './lifecycle.js';
import { findTicket, teamOfKey, type TicketKey, type TicketRecord } from './refs.js';
import { COMMENT_TEXT_BUDGET, COMMENTS_SHOWN, commentsWithin } from './comment-budget.js';
import type { TicketDetail, TicketWithComments } from './views.js';

/** What the service answers: the data, and one sentence saying what happened. */
export interface Result<T> {
  data: T;
  message: string;
}

export type EventDraft = Pick<Insertable<EventsTable>, 'type'> & { data: Record<string, unknown> };

export interface Lookup {
  id: string;
  name: string;
  isDefault: boolean;
}

/** A workspace's lookup rows: the lifecycle's moves and statuses, priorities, sentiments, ticket types, default team. */
export interface WorkspaceLookups {
  nextStatuses: Map<StatusName, StatusName[]>;
  statusIds: Map<StatusName, string>;
  priorities: Lookup[];
  sentiments: Lookup[];
  types: Lookup[];
  /** The workspace's first team (SUP on a new database) takes tickets that name no team. */
  defaultTeamId: string;
}

/**
 * No tool changes a workspace's lookup rows after it is seeded, so each process
 * reads them once and answers from memory.
 */
export class Lookups {
  readonly #byWorkspace = new Map<string, WorkspaceLookups>();

  /**
   * Only loaded lookups are shared. A load still under way runs on its caller's
   * connection, and another call holding a transaction must not wait on it: that
   * caller may itself be waiting for the connection the transaction holds.
   */
  async of(db: Db, workspaceId: string): Promise<WorkspaceLookups> {
    const cached = this.#byWorkspace.get(workspaceId);
    if (cached) return cached;
    const loaded = await loadLookups(db, workspaceId);
    this.#byWorkspace.set(workspaceId, loaded);
    return loaded;
  }
}

async function loadLookups(db: Db, workspaceId: string): Promise<WorkspaceLookups> {
  const statuses = await db.selectFrom('statuses').select(['id', 'name']).where('workspace_id', '=', workspaceId).orderBy('position').execute();
  const moves = await db
    .selectFrom('status_transitions as tr')
    .innerJoin('statuses as st', (join) => join.onRef('st.workspace_id', '=', 'tr.workspace_id').onRef('st.name', '=', 'tr.to_status'))
    .select(['tr.from_status', 'tr.to_status'])
    .where('tr.workspace_id', '=', workspaceId)
    .orderBy('st.position')
    .execute();
  const nextStatuses = new Map<StatusName, StatusName[]>(STATUS_NAMES.map((status) => [status, []]));
  for (const move of moves) nextStatuses.get(move.from_status as StatusName)?.push(move.to_status as StatusName);
  const rows = (table: 'priorities' | 'sentiments') =>
    db.selectFrom(table).select(['id', 'name', 'is_default']).where('workspace_id', '=', workspaceId).orderBy('position').execute();
  const asLookup = (r: { id: string; name: string; is_default?: number }): Lookup => ({ id: r.id, name: r.name, isDefault: r.is_default === 1 });
  const types = await db.selectFrom('ticket_types').select(['id', 'name']).where('workspace_id', '=', workspaceId).orderBy('position').execute();
  const team = await db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return {
    nextStatuses,
    statusIds: new Map(statuses.map((s) => [s.name as StatusName, s.id])),
    priorities: (await rows('priorities')).map(asLookup),
    sentiments: (await rows('sentiments')).map(asLookup),
    types: types.map(asLookup),
    defaultTeamId: team.id,
  };
}

export interface ServiceDeps {
  /** Writes: writeTransaction(deps.db, …). */
  db: Db;
  /** Reads outside a write (plain queries and readTransaction), on their own connection. */
  reader: Db;
  lookups: Lookups;
}

export const ticketKey = (ticket: { team_identifier: string; number: number }) =>
  `${ticket.team_identifier}-${ticket.number}`;

const parseJson = <T>(text: string): T => JSON.parse(text) as T;

const nameOf = (lookups: Lookup[], id: string | null) => (id === null ? null : (lookups.find((l) => l.id === id)?.name ?? null));

/** One statement for the whole ticket: its row, what it joins to, and its tags as JSON. */
const detailQuery = (db: Db) =>
  db
    .selectFrom('tickets as t')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .innerJoin('contacts as c', 'c.id', 't.contact_id')
    .leftJoin('accounts as ac', 'ac.id', 't.account_id')
    .leftJoin('agents as ag', 'ag.id', 't.assignee_id')
    .selectAll('t')
    .select([
      'tm.name as team_name',
      'tm.identifier as team_identifier',
      'c.email as contact_email',
      'c.first_name as contact_first_name',
      'c.last_name as contact_last_name',
      'ac.name as account_name',
      'ag.name as assignee_name',
      'ag.email as assignee_email',
      sql<string>`(SELECT json_group_array(json_object('id', g.id, 'name', g.name, 'color', g.color) ORDER BY g.name_key)
        FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id)`.as('tags_json'),
    ]);

const ticketDetailRow = prepared('store.ticketDetail', (db, p: { id: string }) => detailQuery(db).where('t.id', '=', p.id));

/**
 * The same, with the comment count and the newest comments (oldest of them first), each
 * with its size and its text cut to the budget (commentsWithin() picks those shown): still
 * one statement. Its LIMIT is a literal, for the reason given at stableLimit.
 */
const withComments = (db: Db) =>
  detailQuery(db).select([
    sql<number>`(SELECT count(*) FROM comments WHERE ticket_id = t.id)`.as('comment_count'),
    sql<string>`(SELECT json_group_array(json_object('id', n.id, 'author', n.author, 'authorId', n.author_id,
        'body', substr(n.body, 1, ${sql.lit(COMMENT_TEXT_BUDGET)}), 'internal', json(iif(n.is_internal, 'true', 'false')),
        'createdAt', n.created_at, 'bytes', octet_length(n.body)) ORDER BY n.created_at, n.seq)
      FROM (SELECT cm.id, (SELECT name FROM agents WHERE id = cm.author_id) AS author, cm.author_id, cm.body, cm.is_internal,
              cm.created_at, cm.rowid AS seq
            FROM comments cm WHERE cm.ticket_id = t.id ORDER BY cm.created_at DESC, cm.rowid DESC LIMIT ${sql.lit(COMMENTS_SHOWN)}) n)`.as('comments_json'),
  ]);

const ticketWithCommentsRow = prepared('store.ticketWithComments', (db, p: { id: string }) => withComments(db).where('t.id', '=', p.id));

/** By key, the key's lookup is part of the statement: get_ticket's usual case reads the ticket once. */
const ticketWithCommentsByKeyRow = prepared('store.ticketWithCommentsByKey', (db, p: { ws: string; identifier: string; number: number }) =>
  withComments(db).where('t.team_id', '=', teamOfKey(db, p.ws, p.identifier)).where('t.number', '=', p.number),
);

type TicketWithCommentsRow = Awaited<ReturnType<typeof ticketWithCommentsRow>>[number];

async function withCommentsFromRow(deps: ServiceDeps, db: Db, t: TicketWithCommentsRow): Promise<TicketWithComments> {
  return { ...(await detailFromRow(deps, db, t)), commentCount: t.comment_count, ...commentsWithin(parseJson(t.comments_json), t.comment_count) };
}

export async function readTicketWithComments(deps: ServiceDeps, db: Db, ticketId: string): Promise<TicketWithComments> {
  const [t] = await ticketWithCommentsRow(db, { id: ticketId });
  if (!t) throw new Error(`ticket ${ticketId} vanished`);
  return withCommentsFromRow(deps, db, t);
}

/** The ticket of a key in a workspace, or undefined when the key names none. */
export async function readTicketWithCommentsByKey(
  deps: ServiceDeps,
  db: Db,
  workspaceId: string,
  key: TicketKey,
): Promise<TicketWithComments | undefined> {
  const [t] = await ticketWithCommentsByKeyRow(db, { ws: workspaceId, ...key });
  return t && withCommentsFromRow(deps, db, t);
}

export async function readTicketDetail(deps: ServiceDeps, db: Db, ticketId: string): Promise<TicketDetail> {
  const [t] = await ticketDetailRow(db, { id: ticketId });
  if (!t) throw new Error(`ticket ${ticketId} vanished`);
  return detailFromRow(deps, db, t);
}

/** A ticket's row with what it joins to, as ticketDetailRow reads it (the rowid aside, which no answer shows). */
export type DetailRow = Omit<Awaited<ReturnType<typeof ticketDetailRow>>[number], 'seq'>;

export async function detailFromRow(deps: ServiceDeps, db: Db, t: DetailRow): Promise<TicketDetail> {
  const lookups = await deps.lookups.of(db, t.workspace_id);
  const status = t.status as StatusName;
  return {
    id: t.id,
    ticketId: t.number,
    ticketIdentifier: ticketKey(t),
    title: t.title,
    description: t.description,
    status,
    statusId: lookups.statusIds.get(status)!,
    nextStatuses: lookups.nextStatuses.get(status) ?? [],
    priority: nameOf(lookups.priorities, t.priority_id)!,
    priorityId: t.priority_id,
    sentiment: nameOf(lookups.sentiments, t.sentiment_id)!,
    sentimentId: t.sentiment_id,
    type: nameOf(lookups.types, t.type_id),
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
    tags: parseJson(t.tags_json),
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
  const allowed = (await deps.lookups.of(db, caller.workspaceId)).nextStatuses.get(from) ?? [];
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
  const columns = Object.keys(patch).sort() as (keyof TicketsTable)[];
  await runPrepared(
    db,
    `store.update:${columns.join(',')}`,
    { ...patch, __version: ticket.version + 1, __at: at, __id: ticket.id } as Record<string, unknown>,
    (db, p) =>
      db
        .updateTable('tickets')
        .set({ ...Object.fromEntries(columns.map((c) => [c, p[c]])), version: p.__version as number, updated_at: p.__at as string })
        .where('id', '=', p.__id as string),
  );
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
  const params: Record<string, unknown> = { ws: caller.workspaceId, ticket: ticketId, actor: caller.agentId, version, at };
  events.forEach((e, i) => {
    params[`type${i}`] = e.type;
    params[`data${i}`] = JSON.stringify(e.data);
  });
  await runPrepared(db, `store.events:${events.length}`, params, (db, p) =>
    db.insertInto('events').values(
      events.map((_, i) => ({
        workspace_id: p.ws as string,
        ticket_id: p.ticket as string,
        type: p[`type${i}`] as EventDraft['type'],
        actor_id: p.actor as string,
        ticket_version: p.version as number,
        data: p[`data${i}`] as string,
        created_at: p.at as string,
      })),
    ),
  );
}
