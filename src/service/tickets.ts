import { createHash } from 'node:crypto';
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/open.js';
import type { TicketsTable } from '../db/tables.js';
import { prepared } from '../db/prepared.js';
import { writeTransaction } from '../db/transaction.js';
import { conflict, invalidTransition, notFound, validationError } from '../errors.js';
import { newId, normalizeInstant, now, type Caller } from './context.js';
import { insertTag } from './directory.js';
import { LIVE_STATUSES, type StatusName } from './lifecycle.js';
import {
  findAgent,
  findLookup,
  findStatus,
  findTag,
  findTagOrUndefined,
  findTeam,
  findTicket,
  type AgentRecord,
} from './refs.js';
import {
  detailFromRow,
  insertEvents,
  loadForChange,
  readTicketDetail,
  refuseIfStale,
  saveChange,
  statusMove,
  ticketKey,
  type DetailRow,
  type EventDraft,
  type LoadedTicket,
  type Result,
  type ServiceDeps,
} from './store.js';
import { fold } from './text.js';
import type { CommentAdded, TicketDetail } from './views.js';

type Json = Record<string, unknown>;

/** A ticket's metadata is kept small: it is in every answer about the ticket. */
export const METADATA_MAX_BYTES = 16_384;

/**
 * Every list row and ticket answer shows all of a ticket's tags: at 20 tags of up to 50
 * characters, a page of 20 rows carries at most about 21 KB of tag names (50 tags would
 * allow 52 KB). Tickets in practice carry a handful.
 */
export const MAX_TAGS_PER_TICKET = 20;

/** Arguments of create_ticket: Thena's create_ticket table, plus chatId and idempotencyKey. */
export interface CreateTicketInput {
  title: string;
  requestorEmail: string;
  requestorFirstName?: string;
  requestorLastName?: string;
  teamId?: string;
  description?: string;
  accountId?: string;
  assignedAgentId?: string;
  assignedAgentEmail?: string;
  dueDate?: string;
  submitterEmail?: string;
  statusId?: string;
  statusName?: string;
  priorityId?: string;
  priorityName?: string;
  sentimentId?: string;
  metadata?: Json;
  typeId?: string;
  isPrivate?: boolean;
  source?: string;
  aiGeneratedTitle?: string;
  aiGeneratedSummary?: string;
  attachmentUrls?: string[];
  customFieldValues?: Json[];
  performRouting?: boolean;
  formId?: string;
  chatId?: string;
  idempotencyKey?: string;
}

export interface VersionGuard {
  /** The version the caller last read; the change applies only if the ticket is still there. */
  expectedVersion?: number;
}

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

export interface UpdateTicketInput extends VersionGuard {
  id: string;
  title?: string;
  description?: string | null;
  priorityId?: string;
  priorityName?: string;
  sentimentId?: string;
  typeId?: string | null;
  accountId?: string | null;
  dueDate?: string | null;
  submitterEmail?: string | null;
  isPrivate?: boolean;
  formId?: string | null;
  metadata?: Json;
  customFieldValues?: Json[];
  attachmentUrls?: string[];
  aiGeneratedTitle?: string | null;
  aiGeneratedSummary?: string | null;
}

export interface DeleteTicketInput extends VersionGuard {
  id: string;
  confirm: true;
  reason?: string;
}

export interface AddCommentInput extends VersionGuard {
  id: string;
  body: string;
  internal?: boolean;
  authorId?: string;
}

export interface TagTicketInput extends VersionGuard {
  ticketId: string;
  tagId: string;
}

const agentRef = (agent: Pick<AgentRecord, 'id' | 'name'>) => ({ id: agent.id, name: agent.name });

function refuseInactive(agent: AgentRecord, field: string): void {
  if (agent.is_active !== 1) {
    throw validationError(`\`${field}\`: ${agent.name} <${agent.email}> is deactivated and cannot hold tickets.`, {
      hint: 'Pick an active agent (list_agents), or reactivate this one with update_agent.',
    });
  }
}

/** Two arguments that may name the same thing (statusId and statusName, say) must agree. */
async function eitherOf<T>(
  fields: [string, string],
  values: [string | undefined, string | undefined],
  resolve: (ref: string, field: string) => T | Promise<T>,
  identity: (resolved: T) => string,
): Promise<T | undefined> {
  const first = values[0] === undefined ? undefined : await resolve(values[0], fields[0]);
  const second = values[1] === undefined ? undefined : await resolve(values[1], fields[1]);
  if (first !== undefined && second !== undefined && identity(first) !== identity(second)) {
    throw validationError(`\`${fields[0]}\` and \`${fields[1]}\` name different records; pass only one of them.`);
  }
  return first ?? second;
}

/** JSON with sorted keys, so the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const agentById = prepared('tickets.agentById', (db, p: { id: string }) => db.selectFrom('agents').selectAll().where('id', '=', p.id));

const contactByEmail = prepared('tickets.contactByEmail', (db, p: { ws: string; key: string }) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', p.ws).where('email_key', '=', p.key),
);

const insertContact = prepared(
  'tickets.insertContact',
  (db, p: { id: string; ws: string; email: string; key: string; first: string | null; last: string | null; at: string }) =>
    db.insertInto('contacts').values({
      id: p.id,
      workspace_id: p.ws,
      email: p.email,
      email_key: p.key,
      first_name: p.first,
      last_name: p.last,
      created_at: p.at,
      updated_at: p.at,
    }),
);

const liveTicketOfChat = prepared('tickets.liveTicketOfChat', (db, p: { ws: string; chat: string }) =>
  db
    .selectFrom('tickets')
    .innerJoin('teams', 'teams.id', 'tickets.team_id')
    .select(['teams.identifier as team_identifier', 'tickets.number', 'tickets.status'])
    .where('tickets.workspace_id', '=', p.ws)
    .where('tickets.chat_id', '=', p.chat)
    .where('tickets.status', '!=', 'closed')
    .where('tickets.deleted_at', 'is', null),
);

/** The team's counter, bumped inside the creating transaction: no gaps, no duplicates. */
const nextTicketNumber = prepared('tickets.nextTicketNumber', (db, p: { team: string }) =>
  db
    .updateTable('teams')
    .set((eb) => ({ ticket_counter: eb('ticket_counter', '+', 1) }))
    .where('id', '=', p.team)
    .returning('ticket_counter'),
);

/** Every column, always: one statement shape for every new ticket. */
const TICKET_COLUMNS = [
  'id', 'workspace_id', 'team_id', 'number', 'title', 'description', 'status', 'priority_id', 'sentiment_id', 'type_id',
  'account_id', 'assignee_id', 'contact_id', 'submitter_email', 'due_date', 'source', 'is_private', 'form_id', 'metadata',
  'custom_field_values', 'attachment_urls', 'ai_generated_title', 'ai_generated_summary', 'chat_id', 'circumstance',
  'created_by', 'ongoing_at', 'created_at', 'updated_at',
] as const satisfies readonly (keyof TicketsTable)[];

const insertTicket = prepared('tickets.insertTicket', (db, p: Insertable<TicketsTable>) =>
  db.insertInto('tickets').values(Object.fromEntries(TICKET_COLUMNS.map((c) => [c, p[c]])) as Insertable<TicketsTable>),
);

async function agentSummary(db: Db, agentId: string | null) {
  if (agentId === null) return null;
  const { id, name } = (await agentById(db, { id: agentId }))[0]!;
  return { id, name };
}

/** The team's active member with the fewest live tickets; ties go to the name first in order. */
async function leastLoadedMember(db: Db, teamId: string): Promise<AgentRecord | undefined> {
  return db
    .selectFrom('team_members as m')
    .innerJoin('agents as a', 'a.id', 'm.agent_id')
    .selectAll('a')
    .where('m.team_id', '=', teamId)
    .where('a.is_active', '=', 1)
    .orderBy((eb) =>
      eb
        .selectFrom('tickets as t')
        .select(eb.fn.countAll().as('load'))
        .whereRef('t.assignee_id', '=', 'a.id')
        .where('t.status', 'in', LIVE_STATUSES)
        .where('t.deleted_at', 'is', null),
    )
    .orderBy('a.name')
    .orderBy('a.id')
    .executeTakeFirst();
}

interface ContactNames {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
}

async function contactFor(db: Db, caller: Caller, input: CreateTicketInput, at: string): Promise<ContactNames> {
  const [existing] = await contactByEmail(db, { ws: caller.workspaceId, key: fold(input.requestorEmail) });
  if (!existing) {
    const contact = {
      id: newId('contact'),
      email: input.requestorEmail,
      first_name: input.requestorFirstName ?? null,
      last_name: input.requestorLastName ?? null,
    };
    await insertContact(db, {
      id: contact.id,
      ws: caller.workspaceId,
      email: contact.email,
      key: fold(contact.email),
      first: contact.first_name,
      last: contact.last_name,
      at,
    });
    return contact;
  }
  // A contact's name is filled in when first learned, never overwritten by a guess.
  const first_name = existing.first_name ?? input.requestorFirstName ?? null;
  const last_name = existing.last_name ?? input.requestorLastName ?? null;
  if (first_name !== existing.first_name || last_name !== existing.last_name) {
    await db.updateTable('contacts').set({ first_name, last_name, updated_at: at }).where('id', '=', existing.id).execute();
  }
  return { id: existing.id, email: existing.email, first_name, last_name };
}

/** An account by id or name; an unknown name creates the account, as a contact is created on first use. */
async function accountFor(db: Db, caller: Caller, ref: string, at: string): Promise<{ id: string; name: string }> {
  const text = ref.trim();
  const found = await db
    .selectFrom('accounts')
    .select(['id', 'name'])
    .where('workspace_id', '=', caller.workspaceId)
    .where((eb) => eb.or([eb('id', '=', text), eb('name_key', '=', fold(text))]))
    .executeTakeFirst();
  if (found) return found;
  if (text.startsWith('ac_')) {
    throw notFound(`No account with id "${text}".`, { hint: 'Pass an account id, or a name to create the account.' });
  }
  const account = { id: newId('account'), name: text };
  await db
    .insertInto('accounts')
    .values({ ...account, name_key: fold(text), workspace_id: caller.workspaceId, created_at: at })
    .execute();
  return account;
}

const teamById = prepared('tickets.teamById', (db, p: { id: string }) => db.selectFrom('teams').selectAll().where('id', '=', p.id));

/**
 * Who holds a ticket: the assignment event when the holder changes, and the move to
 * pending when an open ticket gets someone working on it.
 */
async function assignmentChange(
  deps: ServiceDeps,
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
    const move = await statusMove(deps, db, caller, ticket, 'pending', at);
    Object.assign(patch, move.patch);
    events.push(move.event);
  }
  // Whoever starts the work says how it came to them, even when the holder stays the same.
  if (agent && events.length > 0) patch.circumstance = circumstance;
  return { patch, events };
}

async function insertComment(
  db: Db,
  caller: Caller,
  ticket: LoadedTicket,
  author: AgentRecord | undefined,
  body: string,
  internal: boolean,
  at: string,
): Promise<{ id: string; event: EventDraft }> {
  const id = newId('comment');
  const authorId = author?.id ?? caller.agentId;
  await db
    .insertInto('comments')
    .values({
      id,
      workspace_id: caller.workspaceId,
      ticket_id: ticket.id,
      author_id: authorId,
      body,
      is_internal: internal ? 1 : 0,
      created_at: at,
    })
    .execute();
  // The event keeps the text itself: the audit trail stands on its own.
  const data: Json = { commentId: id, body, internal };
  if (authorId !== caller.agentId) data.author = author && agentRef(author);
  return { id, event: { type: 'comment_added', data } };
}

/** The agent an optional argument names, or the caller when it names nobody. */
const agentOrCaller = (db: Db, caller: Caller, ref: string | undefined): Promise<AgentRecord> =>
  ref === undefined
    ? agentById(db, { id: caller.agentId }).then(([agent]) => agent!)
    : findAgent(db, caller.workspaceId, ref);

const statusNote = (before: LoadedTicket, after: TicketDetail) =>
  before.status === after.status ? '' : ` (${before.status} → ${after.status})`;

/**
 * The request a key was first used with, after resolving its references, so
 * `teamId: "sup"` and `teamId: "SUP"`, or an email in other case, replay alike.
 */
function idempotencyHash(request: Omit<CreateTicketInput, 'idempotencyKey'>, resolved: Json): string {
  const { requestorEmail, submitterEmail, accountId, ...rest } = request;
  const canonical = {
    ...rest,
    requestorEmail: fold(requestorEmail),
    submitterEmail: submitterEmail && fold(submitterEmail),
    accountId: accountId && fold(accountId),
    ...resolved,
  };
  return createHash('sha256').update(canonicalJson(canonical)).digest('hex');
}

/** The first answer to an idempotency key, or CONFLICT when the key came with another request. */
async function replay(db: Db, workspaceId: string, key: string, requestHash: string): Promise<Result<TicketDetail> | undefined> {
  const seen = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!seen) return undefined;
  const first = JSON.parse(seen.response) as TicketDetail;
  if (seen.request_hash !== requestHash) {
    throw conflict(`idempotencyKey "${key}" was already used by a different request, which created ${first.ticketIdentifier}.`, {
      hint: 'Use a new idempotencyKey for a new ticket; resend the original arguments to get the original answer.',
      details: { ticket: first.ticketIdentifier },
    });
  }
  const { version } = await db.selectFrom('tickets').select('version').where('id', '=', seen.ticket_id).executeTakeFirstOrThrow();
  const since = version === first.version ? '' : `; it has changed since (now version ${version}): get_ticket shows it as it stands`;
  return {
    data: first,
    message: `Ticket ${first.ticketIdentifier} was already created with this idempotencyKey; this is the original answer${since}.`,
  };
}

export async function createTicket(deps: ServiceDeps, caller: Caller, input: CreateTicketInput): Promise<Result<TicketDetail>> {
  const ws = caller.workspaceId;
  const { idempotencyKey, ...request } = input;
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    // Look-ups only, up to the replay check: a replayed request must not create an account or contact.
    const lookups = await deps.lookups.of(db, ws);
    const team =
      input.teamId === undefined ? (await teamById(db, { id: lookups.defaultTeamId }))[0]! : await findTeam(db, ws, input.teamId);
    const named = await eitherOf(
      ['assignedAgentId', 'assignedAgentEmail'],
      [input.assignedAgentId, input.assignedAgentEmail],
      (ref) => findAgent(db, ws, ref),
      (agent) => agent.id,
    );
    const statusField = input.statusId === undefined ? 'statusName' : 'statusId';
    const status =
      (await eitherOf(
        ['statusId', 'statusName'],
        [input.statusId, input.statusName],
        (ref, field) => findStatus(lookups, ref, field),
        (name) => name,
      )) ?? 'open';
    const priority =
      (await eitherOf(
        ['priorityId', 'priorityName'],
        [input.priorityId, input.priorityName],
        (ref, field) => findLookup(lookups.priorities, 'priority', ref, field),
        (p) => p.id,
      )) ?? lookups.priorities.find((p) => p.isDefault)!;
    const sentiment =
      input.sentimentId === undefined
        ? lookups.sentiments.find((s) => s.isDefault)!
        : findLookup(lookups.sentiments, 'sentiment', input.sentimentId, 'sentimentId');
    const type = input.typeId === undefined ? undefined : findLookup(lookups.types, 'ticket type', input.typeId, 'typeId');

    // Only a request with a key is ever compared, so only then is it hashed.
    const idempotency =
      idempotencyKey === undefined
        ? undefined
        : {
            key: idempotencyKey,
            hash: idempotencyHash(request, {
              teamId: team.id,
              assignedAgentId: named?.id,
              assignedAgentEmail: undefined,
              statusId: status,
              statusName: undefined,
              priorityId: priority.id,
              priorityName: undefined,
              sentimentId: sentiment.id,
              typeId: type?.id,
            }),
          };
    if (idempotency) {
      const first = await replay(db, ws, idempotency.key, idempotency.hash);
      if (first) return first;
    }

    let assignee = named;
    if (assignee) refuseInactive(assignee, 'assignedAgentId');
    let assignment = assignee ? `, assigned to ${assignee.name}` : ', unassigned';
    const routed = !assignee && input.performRouting === true;
    if (routed) {
      assignee = await leastLoadedMember(db, team.id);
      assignment = assignee
        ? ` and routed to ${assignee.name}, the least loaded agent of ${team.identifier}`
        : `; routing found no active agent in ${team.identifier}, so it is unassigned`;
    }
    if (status !== 'open' && status !== 'pending') {
      throw validationError(`\`${statusField}\`: a new ticket starts open or pending, not ${status}.`);
    }
    if (status === 'pending' && !assignee) {
      throw validationError(`\`${statusField}\`: a ticket can start pending only with an assignee.`, {
        hint: 'Pass assignedAgentId (or performRouting: true), or leave the status out to start open.',
      });
    }

    if (input.chatId !== undefined) {
      const [live] = await liveTicketOfChat(db, { ws, chat: input.chatId });
      if (live) {
        throw conflict(`Chat "${input.chatId}" already has a live ticket, ${ticketKey(live)} (${live.status}).`, {
          hint: `Work on ${ticketKey(live)} (get_ticket), or close it before opening another ticket for this chat.`,
          details: { ticket: ticketKey(live) },
        });
      }
    }

    const [{ ticket_counter: number }] = (await nextTicketNumber(db, { team: team.id })) as [{ ticket_counter: number }];
    const id = newId('ticket');
    const account = input.accountId === undefined ? undefined : await accountFor(db, caller, input.accountId, at);
    const contact = await contactFor(db, caller, input, at);
    // The new row, with what a read would join to it: inserted, then shown as get_ticket
    // would read it back (a test holds the two equal). One literal: V8 keeps an object
    // this wide fast only when it is built whole, not spread and extended.
    const row: DetailRow = {
      id,
      workspace_id: ws,
      team_id: team.id,
      number,
      title: input.title,
      description: input.description ?? null,
      status,
      priority_id: priority.id,
      sentiment_id: sentiment.id,
      type_id: type?.id ?? null,
      account_id: account?.id ?? null,
      assignee_id: assignee?.id ?? null,
      contact_id: contact.id,
      submitter_email: input.submitterEmail ?? null,
      due_date: input.dueDate === undefined ? null : normalizeInstant(input.dueDate),
      source: input.source ?? 'mcp',
      is_private: input.isPrivate ? 1 : 0,
      form_id: input.formId ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      custom_field_values: JSON.stringify(input.customFieldValues ?? []),
      attachment_urls: JSON.stringify(input.attachmentUrls ?? []),
      ai_generated_title: input.aiGeneratedTitle ?? null,
      ai_generated_summary: input.aiGeneratedSummary ?? null,
      chat_id: input.chatId ?? null,
      circumstance: assignee ? 'handover' : null,
      created_by: caller.agentId,
      completed_by: null,
      ongoing_at: status === 'pending' ? at : null,
      completed_at: null,
      closed_at: null,
      deleted_at: null,
      version: 1,
      created_at: at,
      updated_at: at,
      team_name: team.name,
      team_identifier: team.identifier,
      contact_email: contact.email,
      contact_first_name: contact.first_name,
      contact_last_name: contact.last_name,
      account_name: account?.name ?? null,
      assignee_name: assignee?.name ?? null,
      assignee_email: assignee?.email ?? null,
      tags_json: '[]',
    };
    await insertTicket(db, row);
    const key = `${team.identifier}-${number}`;
    const events: EventDraft[] = [
      {
        type: 'created',
        data: {
          ticket: key,
          title: input.title,
          status,
          priority: priority.name,
          team: team.identifier,
          requestorEmail: input.requestorEmail,
          source: row.source,
          ...(input.chatId !== undefined && { chatId: input.chatId }),
        },
      },
    ];
    if (assignee) {
      events.push({
        type: 'assignment_changed',
        data: { from: null, to: agentRef(assignee), circumstance: 'handover', ...(routed && { routed }) },
      });
    }
    await insertEvents(db, caller, id, 1, events, at);

    const ticket = await detailFromRow(deps, db, row);
    if (idempotency) {
      await db
        .insertInto('idempotency_keys')
        .values({
          workspace_id: ws,
          key: idempotency.key,
          request_hash: idempotency.hash,
          ticket_id: id,
          response: JSON.stringify(ticket),
          created_at: at,
        })
        .execute();
    }
    return { data: ticket, message: `Ticket ${key} created (${status})${assignment}.` };
  });
}


/**
 * A ticket someone can be given or can claim: live (open or pending). A resolved
 * ticket has to be reopened first; a closed one is final.
 */
async function loadAssignable(
  deps: ServiceDeps,
  db: Db,
  caller: Caller,
  ref: string,
  expectedVersion: number | undefined,
  action: string,
) {
  const ticket = await loadForChange(db, caller, ref, expectedVersion, action);
  if (ticket.status === 'resolved') {
    const allowed = (await deps.lookups.of(db, caller.workspaceId)).nextStatuses.get('resolved');
    throw invalidTransition(`Ticket ${ticket.key} is resolved; it cannot ${action} until it is reopened.`, {
      hint: `Reopen it first with set_ticket_status (status: open), or leave it resolved.`,
      details: { currentStatus: 'resolved', allowedStatuses: allowed },
    });
  }
  return ticket;
}

export async function assignTicket(deps: ServiceDeps, caller: Caller, input: AssignTicketInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ticket = await loadAssignable(deps, db, caller, input.id, input.expectedVersion, 'be assigned');
    const agent = input.assignedAgentId === null ? null : await findAgent(db, caller.workspaceId, input.assignedAgentId);
    if (agent) refuseInactive(agent, 'assignedAgentId');
    const { patch, events } = await assignmentChange(deps, db, caller, ticket, agent, 'handover', at);
    const changed = await saveChange(db, caller, ticket, patch, events, at);
    const data = await readTicketDetail(deps, db, ticket.id);
    const who = agent ? agent.name : 'nobody';
    return {
      data,
      message: changed
        ? `Ticket ${ticket.key} assigned to ${who}${statusNote(ticket, data)}.`
        : `Ticket ${ticket.key} is already assigned to ${who}; nothing changed.`,
    };
  });
}

export async function takeover(deps: ServiceDeps, caller: Caller, input: TakeoverInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ticket = await loadAssignable(deps, db, caller, input.id, input.expectedVersion, 'be taken over');
    const claimer = await agentOrCaller(db, caller, input.assigneeId);
    refuseInactive(claimer, 'assigneeId');
    const heldByOther = ticket.assignee_id !== null && ticket.assignee_id !== claimer.id;
    if (heldByOther && !input.force) {
      const { id, name, email } = (await agentById(db, { id: ticket.assignee_id! }))[0]!;
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
      deps,
      db,
      caller,
      ticket,
      claimer,
      'takeover',
      at,
      heldByOther ? { forced: true } : {},
    );
    const changed = await saveChange(db, caller, ticket, patch, events, at);
    const data = await readTicketDetail(deps, db, ticket.id);
    const forWhom = claimer.id === caller.agentId ? '' : ` for ${claimer.name}`;
    return {
      data,
      message: changed
        ? `Took over ticket ${ticket.key}${forWhom}${statusNote(ticket, data)}.`
        : `Ticket ${ticket.key} is already held by ${claimer.name}; nothing changed.`,
    };
  });
}

export async function completeTicket(deps: ServiceDeps, caller: Caller, input: CompleteTicketInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, 'be completed');
    const completer = await agentOrCaller(db, caller, input.userId);
    const move = await statusMove(
      deps,
      db,
      caller,
      ticket,
      'resolved',
      at,
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
    await saveChange(db, caller, ticket, { ...move.patch, completed_by: completer.id }, events, at);
    const data = await readTicketDetail(deps, db, ticket.id);
    return { data, message: `Ticket ${ticket.key} completed by ${completer.name} (pending → resolved).` };
  });
}

export async function setTicketStatus(deps: ServiceDeps, caller: Caller, input: SetTicketStatusInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const to: StatusName = findStatus(await deps.lookups.of(db, caller.workspaceId), input.status, 'status');
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, `move to ${to}`);
    const events: EventDraft[] = [];
    let patch: Updateable<TicketsTable> = {};
    if (ticket.status !== to) {
      const move = await statusMove(deps, db, caller, ticket, to, at);
      patch = move.patch;
      events.push(move.event);
    }
    if (input.comment !== undefined) {
      events.unshift((await insertComment(db, caller, ticket, undefined, input.comment, false, at)).event);
    }
    await saveChange(db, caller, ticket, patch, events, at);
    const data = await readTicketDetail(deps, db, ticket.id);
    const noted = input.comment === undefined ? '' : ' Your comment was added.';
    return {
      data,
      message:
        ticket.status === to
          ? `Ticket ${ticket.key} is already ${to}; its status did not change.${noted}`
          : `Ticket ${ticket.key} moved ${ticket.status} → ${to}.${noted}`,
    };
  });
}

export async function updateTicket(deps: ServiceDeps, caller: Caller, input: UpdateTicketInput): Promise<Result<TicketDetail>> {
  const { id, expectedVersion, ...fields } = input;
  if (Object.values(fields).every((v) => v === undefined)) {
    throw validationError('update_ticket needs at least one field to change besides `id`.', {
      hint: 'Pass e.g. title, description, priorityName, dueDate or metadata. Status, assignee and tags have their own tools.',
    });
  }
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ws = caller.workspaceId;
    const ticket = await loadForChange(db, caller, id, expectedVersion, 'be edited');
    const before = await readTicketDetail(deps, db, ticket.id);
    const patch: Updateable<TicketsTable> = {};
    const events: EventDraft[] = [];
    /** Records one field: `shownBefore`/`shownAfter` are what the model sees, `stored` what the column gets. */
    const change = <C extends keyof TicketsTable>(field: string, column: C, shownBefore: unknown, shownAfter: unknown, stored: Updateable<TicketsTable>[C]) => {
      if (canonicalJson(shownBefore) === canonicalJson(shownAfter)) return;
      patch[column] = stored;
      events.push({ type: 'metadata_updated', data: { field, before: shownBefore, after: shownAfter } });
    };
    const text = <C extends keyof TicketsTable>(field: keyof typeof fields & keyof TicketDetail, column: C) => {
      const value = fields[field] as string | null | undefined;
      if (value !== undefined) change(field, column, before[field], value, value as Updateable<TicketsTable>[C]);
    };
    text('title', 'title');
    text('description', 'description');
    text('submitterEmail', 'submitter_email');
    text('formId', 'form_id');
    text('aiGeneratedTitle', 'ai_generated_title');
    text('aiGeneratedSummary', 'ai_generated_summary');
    const lookups = await deps.lookups.of(db, ws);
    const priority = await eitherOf(
      ['priorityId', 'priorityName'],
      [fields.priorityId, fields.priorityName],
      (ref, field) => findLookup(lookups.priorities, 'priority', ref, field),
      (p) => p.id,
    );
    if (priority) change('priority', 'priority_id', before.priority, priority.name, priority.id);
    if (fields.sentimentId !== undefined) {
      const sentiment = findLookup(lookups.sentiments, 'sentiment', fields.sentimentId, 'sentimentId');
      change('sentiment', 'sentiment_id', before.sentiment, sentiment.name, sentiment.id);
    }
    if (fields.typeId !== undefined) {
      const type = fields.typeId === null ? null : findLookup(lookups.types, 'ticket type', fields.typeId, 'typeId');
      change('type', 'type_id', before.type, type?.name ?? null, type?.id ?? null);
    }
    if (fields.accountId !== undefined) {
      const account = fields.accountId === null ? null : await accountFor(db, caller, fields.accountId, at);
      change('account', 'account_id', before.account, account?.name ?? null, account?.id ?? null);
    }
    if (fields.dueDate !== undefined) {
      const due = fields.dueDate === null ? null : normalizeInstant(fields.dueDate);
      change('dueDate', 'due_date', before.dueDate, due, due);
    }
    if (fields.isPrivate !== undefined) {
      change('isPrivate', 'is_private', before.isPrivate, fields.isPrivate, fields.isPrivate ? 1 : 0);
    }
    if (fields.metadata !== undefined) {
      // Merged like Stripe's metadata: given keys are set, a null value removes its key.
      const merged: Json = { ...before.metadata };
      for (const [k, v] of Object.entries(fields.metadata)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      const stored = JSON.stringify(merged);
      if (Buffer.byteLength(stored) > METADATA_MAX_BYTES) {
        throw validationError('`metadata`: merged with what the ticket has, it would exceed 16 KB as JSON.', {
          hint: 'Remove keys (set them to null) or store less.',
        });
      }
      change('metadata', 'metadata', before.metadata, merged, stored);
    }
    if (fields.customFieldValues !== undefined) {
      const values = fields.customFieldValues;
      change('customFieldValues', 'custom_field_values', before.customFieldValues, values, JSON.stringify(values));
    }
    if (fields.attachmentUrls !== undefined) {
      const urls = fields.attachmentUrls;
      change('attachmentUrls', 'attachment_urls', before.attachmentUrls, urls, JSON.stringify(urls));
    }
    const changed = await saveChange(db, caller, ticket, patch, events, at);
    const data = changed ? await readTicketDetail(deps, db, ticket.id) : before;
    const names = events.map((e) => e.data.field).join(', ');
    return {
      data,
      message: changed
        ? `Ticket ${ticket.key} updated: ${names}.`
        : `Ticket ${ticket.key} already had those values; nothing changed.`,
    };
  });
}

export async function deleteTicket(deps: ServiceDeps, caller: Caller, input: DeleteTicketInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const record = await findTicket(db, caller.workspaceId, input.id);
    const key = ticketKey(record);
    if (record.deleted_at) {
      return {
        data: await readTicketDetail(deps, db, record.id),
        message: `Ticket ${key} was already deleted at ${record.deleted_at}; nothing changed.`,
      };
    }
    // Closed tickets may be deleted: closing is about the work, deleting about spam and mistakes.
    const ticket = { ...record, key };
    refuseIfStale(ticket, input.expectedVersion);
    const event: EventDraft = { type: 'deleted', data: input.reason === undefined ? {} : { reason: input.reason } };
    await saveChange(db, caller, ticket, { deleted_at: at }, [event], at);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      message: `Ticket ${key} deleted; it no longer shows in lists, and get_ticket still shows it and its history.`,
    };
  });
}

export async function addComment(deps: ServiceDeps, caller: Caller, input: AddCommentInput): Promise<Result<CommentAdded>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, 'take comments');
    const author = await agentOrCaller(db, caller, input.authorId);
    const internal = input.internal ?? false;
    const { id, event } = await insertComment(db, caller, ticket, author, input.body, internal, at);
    await saveChange(db, caller, ticket, {}, [event], at);
    return {
      data: {
        comment: { id, author: author.name, authorId: author.id, body: input.body, internal, createdAt: at },
        ticket: await readTicketDetail(deps, db, ticket.id),
      },
      message: `${internal ? 'Internal note' : 'Comment'} added to ticket ${ticket.key}.`,
    };
  });
}

export async function addTag(deps: ServiceDeps, caller: Caller, input: TagTicketInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ws = caller.workspaceId;
    const ticket = await loadForChange(db, caller, input.ticketId, input.expectedVersion, 'be tagged');
    const found = await findTagOrUndefined(db, ws, input.tagId);
    const name = input.tagId.trim();
    if (!found && name.startsWith('tg_')) throw notFound(`No tag with id "${name}".`, { hint: 'Pass a tag id or a name; list_tags shows them.' });
    const attached = await db.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', ticket.id).execute();
    if (found && attached.some((t) => t.tag_id === found.id)) {
      return {
        data: await readTicketDetail(deps, db, ticket.id),
        message: `Ticket ${ticket.key} already has tag "${found.name}"; nothing changed.`,
      };
    }
    // A new name is checked first; refused below, the new tag is rolled back with the rest.
    const tag = found ?? (await insertTag(db, ws, { name }, at, 'tagId'));
    if (attached.length >= MAX_TAGS_PER_TICKET) {
      throw validationError(`Ticket ${ticket.key} already has ${attached.length} tags, the most a ticket carries; "${tag.name}" was not added.`, {
        hint: 'Remove a tag first (remove_tag), then add this one.',
        details: { maxTags: MAX_TAGS_PER_TICKET },
      });
    }
    const created = found ? '' : ' (new tag)';
    await db
      .insertInto('ticket_tags')
      .values({ workspace_id: ws, ticket_id: ticket.id, tag_id: tag.id, created_by: caller.agentId, created_at: at })
      .execute();
    await saveChange(db, caller, ticket, {}, [{ type: 'tag_added', data: { tagId: tag.id, tag: tag.name } }], at);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      message: `Tag "${tag.name}"${created} added to ticket ${ticket.key}.`,
    };
  });
}

export async function removeTag(deps: ServiceDeps, caller: Caller, input: TagTicketInput): Promise<Result<TicketDetail>> {
  return writeTransaction(deps.db, async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.ticketId, input.expectedVersion, 'be untagged');
    const tag = await findTag(db, caller.workspaceId, input.tagId);
    const removed = await db
      .deleteFrom('ticket_tags')
      .where('ticket_id', '=', ticket.id)
      .where('tag_id', '=', tag.id)
      .executeTakeFirst();
    if (removed.numDeletedRows === 0n) {
      return {
        data: await readTicketDetail(deps, db, ticket.id),
        message: `Ticket ${ticket.key} does not have tag "${tag.name}"; nothing changed.`,
      };
    }
    await saveChange(db, caller, ticket, {}, [{ type: 'tag_removed', data: { tagId: tag.id, tag: tag.name } }], at);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      message: `Tag "${tag.name}" removed from ticket ${ticket.key}.`,
    };
  });
}
