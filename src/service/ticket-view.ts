import type { Db } from '../db/engine.js';
import { linksOfTicket } from '../db/repo/links.js';
import { ticketDetailRow, ticketWithCommentsRows, type DetailRow, type TicketWithCommentsRow } from '../db/repo/tickets.js';
import { nextStatuses, type StatusName } from '../domain/lifecycle.js';
import { leaseLapsed, linkWords } from '../domain/queue.js';
import { COMMENT_TEXT_BUDGET, COMMENTS_SHOWN, commentsWithin } from './comment-budget.js';
import type { ServiceDeps } from './deps.js';
import { nameOf } from './lookups.js';
import type { TicketKey } from './refs.js';
import { now } from './context.js';
import type { TicketDetail, TicketLinkView, TicketWithComments, TicketWithLinks } from './views.js';

export const ticketKey = (ticket: { team_identifier: string; number: number }) => `${ticket.team_identifier}-${ticket.number}`;

const parseJson = <T>(text: string): T => JSON.parse(text) as T;

const withComments = ticketWithCommentsRows(COMMENTS_SHOWN, COMMENT_TEXT_BUDGET);

async function withCommentsFromRow(deps: ServiceDeps, db: Db, t: TicketWithCommentsRow): Promise<TicketWithComments> {
  const detail = await detailFromRow(deps, db, t);
  return { ...detail, links: await readLinks(db, t.id), commentCount: t.comment_count, ...commentsWithin(parseJson(t.comments_json), t.comment_count) };
}

export async function readTicketWithComments(deps: ServiceDeps, db: Db, ticketId: string): Promise<TicketWithComments> {
  const [t] = await withComments.byId(db, { id: ticketId });
  if (!t) throw new Error(`ticket ${ticketId} vanished`);
  return withCommentsFromRow(deps, db, t);
}

/** The ticket of a key in a workspace, or undefined when the key names none. */
export async function readTicketWithCommentsByKey(deps: ServiceDeps, db: Db, workspaceId: string, key: TicketKey): Promise<TicketWithComments | undefined> {
  const [t] = await withComments.byKey(db, { ws: workspaceId, ...key });
  return t && withCommentsFromRow(deps, db, t);
}

export async function readTicketDetail(deps: ServiceDeps, db: Db, ticketId: string): Promise<TicketDetail> {
  const [t] = await ticketDetailRow(db, { id: ticketId });
  if (!t) throw new Error(`ticket ${ticketId} vanished`);
  return detailFromRow(deps, db, t);
}

/** A ticket's links from both sides, each named as read from this ticket. */
export async function readLinks(db: Db, ticketId: string): Promise<TicketLinkView[]> {
  return (await linksOfTicket(db, ticketId)).map((l) => ({
    link: linkWords(l.type, l.direction),
    key: ticketKey(l),
    title: l.title,
    status: l.status as StatusName,
    ...(l.deleted_at !== null && { deleted: true as const }),
  }));
}

export async function readTicketWithLinks(deps: ServiceDeps, db: Db, ticketId: string): Promise<TicketWithLinks> {
  return { ...(await readTicketDetail(deps, db, ticketId)), links: await readLinks(db, ticketId) };
}

/** A ticket's row, with what it joins to, as the answer shows it. */
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
    // A deleted ticket moves nowhere until restore_ticket brings it back.
    nextStatuses: t.deleted_at ? [] : nextStatuses(status),
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
    leaseExpiresAt: t.lease_expires_at,
    ...(leaseLapsed(t, now()) && { leaseLapsed: true as const }),
    version: t.version,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}
