import { createHash } from 'node:crypto';
import type { Db } from '../db/engine.js';
import { leastLoadedMember } from '../db/repo/agents.js';
import { insertEvents, type EventDraft } from '../db/repo/events.js';
import { insertLink } from '../db/repo/links.js';
import { idempotencyRecord, insertIdempotencyRecord } from '../db/repo/idempotency.js';
import { nextTicketNumber, teamById } from '../db/repo/teams.js';
import { insertTicket, liveTicketOfChat, ticketVersion, type DetailRow } from '../db/repo/tickets.js';
import { linkWords } from '../domain/queue.js';
import { fold } from '../domain/text.js';
import { conflict, validationError } from '../errors.js';
import { canonicalJson, eitherOf, type Json } from './arguments.js';
import { agentLabel } from './change-message.js';
import { loadForChange, saveChange } from './changes.js';
import { newId, normalizeInstant, now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { accountFor, agentRef, contactFor, refuseInactive } from './participants.js';
import { findAgent, findLookup, findStatus, findTeam } from './refs.js';
import { detailFromRow, ticketKey } from './ticket-view.js';
import type { TicketDetail } from './views.js';

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
  /** A ticket (typically closed) this one follows up: linked follows_up, with its events on both. */
  followUpOf?: string;
  idempotencyKey?: string;
}

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
  const seen = await idempotencyRecord(db, workspaceId, key);
  if (!seen) return undefined;
  const first = JSON.parse(seen.response) as TicketDetail;
  if (seen.request_hash !== requestHash) {
    throw conflict(`idempotencyKey "${key}" was already used by a different request, which created ${first.ticketIdentifier}.`, {
      hint: 'Use a new idempotencyKey for a new ticket; resend the original arguments to get the original answer.',
      details: { ticket: first.ticketIdentifier },
    });
  }
  const version = await ticketVersion(db, seen.ticket_id);
  const since = version === first.version ? '' : `; it has changed since (now version ${version}): get_ticket shows it as it stands`;
  return {
    data: first,
    message: `Ticket ${first.ticketIdentifier} was already created with this idempotencyKey; this is the original answer${since}.`,
  };
}

export async function createTicket(deps: ServiceDeps, caller: Caller, input: CreateTicketInput): Promise<Result<TicketDetail>> {
  const ws = caller.workspaceId;
  const { idempotencyKey, ...request } = input;
  return deps.engine.write(async (db) => {
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
    // Locked like any ticket a change touches; the new ticket is nobody else's yet, so no lock order is at stake.
    const followed = input.followUpOf === undefined ? undefined : await loadForChange(db, caller, input.followUpOf, undefined, undefined);

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
              followUpOf: followed?.id,
            }),
          };
    if (idempotency) {
      const first = await replay(db, ws, idempotency.key, idempotency.hash);
      if (first) return first;
    }

    let assignee = named;
    if (assignee) refuseInactive(assignee, 'assignedAgentId');
    let assignment = assignee ? `, assigned to ${agentLabel(assignee)}` : ', unassigned';
    const routed = !assignee && input.performRouting === true;
    if (routed) {
      assignee = await leastLoadedMember(db, team.id);
      assignment = assignee
        ? ` and routed to ${agentLabel(assignee)}, the least loaded agent of ${team.identifier}`
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
      lease_expires_at: null,
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
    if (followed) {
      // The new ticket's side of the link is part of its creation (version 1); the followed ticket gets a version of its own.
      await insertLink(db, { workspace_id: ws, ticket_id: id, related_id: followed.id, type: 'follows_up', created_by: caller.agentId, created_at: at });
      events.push({ type: 'linked', data: { link: linkWords('follows_up', 'out'), key: followed.key } });
      await saveChange(db, caller, followed, {}, [{ type: 'linked', data: { link: linkWords('follows_up', 'in'), key } }], at);
    }
    await insertEvents(db, { ws, ticket: id, actor: caller.agentId, version: 1, at }, events);

    const ticket = await detailFromRow(deps, db, row);
    if (idempotency) {
      await insertIdempotencyRecord(db, {
        workspace_id: ws,
        key: idempotency.key,
        request_hash: idempotency.hash,
        ticket_id: id,
        response: JSON.stringify(ticket),
        created_at: at,
      });
    }
    const followsUp = followed ? `, following up ${followed.key}` : '';
    return { data: ticket, message: `Ticket ${key} created (${status})${assignment}${followsUp}.` };
  });
}
