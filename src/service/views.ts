import { z } from 'zod';
import { STATUS_NAMES } from '../domain/lifecycle.js';
import { ERROR_CODES } from '../errors.js';

/**
 * What the service hands back. The same schemas are the tools' declared output, so
 * a client validating structuredContent checks exactly these shapes.
 */
export const TAG_COLORS = [
  'default',
  'gray',
  'red',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'brown',
] as const;

const status = z.enum(STATUS_NAMES);
const timestamp = z.string();

export const tagRef = z.object({ id: z.string(), name: z.string(), color: z.enum(TAG_COLORS) });

/** The full ticket: Thena's ticket object, plus Zaia's lifecycle timestamps and our version. */
export const ticketDetail = z.object({
  id: z.string(),
  ticketId: z.number().int(),
  ticketIdentifier: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  status,
  statusId: z.string(),
  nextStatuses: z.array(status),
  priority: z.string(),
  priorityId: z.string(),
  sentiment: z.string(),
  sentimentId: z.string(),
  type: z.string().nullable(),
  typeId: z.string().nullable(),
  teamId: z.string(),
  teamName: z.string(),
  teamIdentifier: z.string(),
  account: z.string().nullable(),
  accountId: z.string().nullable(),
  assignedAgent: z.string().nullable(),
  assignedAgentId: z.string().nullable(),
  assignedAgentEmail: z.string().nullable(),
  requestorEmail: z.string(),
  customerContactId: z.string(),
  customerContactFirstName: z.string().nullable(),
  customerContactLastName: z.string().nullable(),
  submitterEmail: z.string().nullable(),
  dueDate: z.string().nullable(),
  source: z.string(),
  isPrivate: z.boolean(),
  formId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  customFieldValues: z.array(z.record(z.string(), z.unknown())),
  attachmentUrls: z.array(z.string()),
  aiGeneratedTitle: z.string().nullable(),
  aiGeneratedSummary: z.string().nullable(),
  chatId: z.string().nullable(),
  circumstance: z.enum(['handover', 'takeover']).nullable(),
  tags: z.array(tagRef),
  createdById: z.string(),
  completedById: z.string().nullable(),
  ongoingAt: timestamp.nullable(),
  completedAt: timestamp.nullable(),
  closedAt: timestamp.nullable(),
  deletedAt: timestamp.nullable(),
  /** A claim's lease (claim_next_ticket leaseSeconds): past it, the ticket is back in the queue. */
  leaseExpiresAt: timestamp.nullable(),
  /** Present, and true, once the lease has run out: anyone may claim or take over the ticket. */
  leaseLapsed: z.literal(true).optional(),
  version: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type TicketDetail = z.infer<typeof ticketDetail>;

export const comment = z.object({
  id: z.string(),
  author: z.string(),
  authorId: z.string(),
  body: z.string(),
  internal: z.boolean(),
  createdAt: timestamp,
});
export type Comment = z.infer<typeof comment>;

/** A link as read from one of its tickets: "blocks SUP-2" from SUP-1 is "blocked by SUP-1" from SUP-2. */
export const ticketLinkView = z.object({
  link: z.string(),
  key: z.string(),
  title: z.string(),
  status,
  /** Present, and true, only when the linked ticket is deleted. */
  deleted: z.literal(true).optional(),
});
export type TicketLinkView = z.infer<typeof ticketLinkView>;

/** A ticket with its links, as link_tickets and unlink_tickets answer. */
export const ticketWithLinks = ticketDetail.extend({ links: z.array(ticketLinkView) });
export type TicketWithLinks = z.infer<typeof ticketWithLinks>;

export const ticketWithComments = ticketWithLinks.extend({
  commentCount: z.number().int(),
  /** The newest comments, oldest first, as many as fit get_ticket's budget. */
  comments: z.array(comment),
  /** Present when comments are left out or cut: how many are shown, and where the rest are. */
  commentsHint: z.string().optional(),
});
export type TicketWithComments = z.infer<typeof ticketWithComments>;

export const commentAdded = z.object({ comment, ticket: ticketDetail });
export type CommentAdded = z.infer<typeof commentAdded>;

/**
 * The declared output of the tools that answer a ticket: the fields a model keys on,
 * and any other field of ticketDetail, only those with a value (service/ticket-answer.ts).
 * One loose schema for every such tool keeps tools/list small; answers still match it.
 */
export const ticketAnswer = z.looseObject({
  id: z.string(),
  ticketIdentifier: z.string(),
  title: z.string(),
  status,
  version: z.number().int(),
});
export type TicketAnswer = z.infer<typeof ticketAnswer>;

export const ticketWithCommentsAnswer = ticketAnswer.extend({
  commentCount: z.number().int(),
  comments: z.array(z.looseObject({ id: z.string(), body: z.string() })),
});

/** add_comment's answer: the comment, and the ticket's key, status and version. */
export const commentAnswer = z.object({
  comment: comment.omit({ authorId: true }),
  ticket: z.object({ ticketIdentifier: z.string(), status, version: z.number().int() }),
});

/** A list row: just enough to choose a ticket; get_ticket has the rest. */
/** A bulk change's answer: every ticket's outcome, in the order given. */
export const bulkResults = z.object({
  results: z.array(
    z.object({
      key: z.string(),
      ok: z.boolean(),
      /** Present when ok: false when the ticket already was as asked. */
      changed: z.boolean().optional(),
      code: z.enum(ERROR_CODES).optional(),
      message: z.string(),
    }),
  ),
});
export type BulkResults = z.infer<typeof bulkResults>;

/** What a tool that takes one ticket or several answers: the ticket, or every ticket's outcome. */
export const ticketOrResults = z.union([ticketAnswer, bulkResults]);

export const ticketRow = z.object({
  key: z.string(),
  title: z.string(),
  status,
  priority: z.string(),
  assignee: z.string().nullable(),
  team: z.string(),
  tags: z.array(z.string()),
  dueDate: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** Present, and true, only on deleted tickets (listed with includeDeleted). */
  deleted: z.literal(true).optional(),
});
export type TicketRow = z.infer<typeof ticketRow>;

const nextCursor = z.string().nullable();

export const ticketPage = z.object({ tickets: z.array(ticketRow), nextCursor });
export type TicketPage = z.infer<typeof ticketPage>;

export const event = z.object({
  id: z.number().int(),
  type: z.enum([
    'created',
    'status_changed',
    'assignment_changed',
    'comment_added',
    'tag_added',
    'tag_removed',
    'metadata_updated',
    'deleted',
    'restored',
    'team_changed',
    'lease_expired',
    'linked',
    'unlinked',
  ]),
  actor: z.string(),
  actorId: z.string(),
  at: timestamp,
  /** The ticket version this change produced. */
  version: z.number().int(),
  details: z.record(z.string(), z.unknown()),
});
export type TicketEvent = z.infer<typeof event>;

export const historyPage = z.object({ ticket: z.string(), events: z.array(event), nextCursor });
export type HistoryPage = z.infer<typeof historyPage>;

export const agent = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  kind: z.enum(['human', 'ai']),
  active: z.boolean(),
  teams: z.array(z.string()),
  openTickets: z.number().int(),
  pendingTickets: z.number().int(),
});
export type Agent = z.infer<typeof agent>;
/** update_agent's answer: with reassignTo, each handed-over ticket's outcome too. */
export const agentUpdate = agent.extend({ results: bulkResults.shape.results.optional() });
export type AgentUpdate = z.infer<typeof agentUpdate>;
export const agentPage = z.object({ agents: z.array(agent), nextCursor });
export type AgentPage = z.infer<typeof agentPage>;

export const team = z.object({
  id: z.string(),
  name: z.string(),
  identifier: z.string(),
  description: z.string().nullable(),
  /** `Name <email>`, with " (inactive)" after a deactivated member. */
  members: z.array(z.string()),
  openTickets: z.number().int(),
  pendingTickets: z.number().int(),
});
export type Team = z.infer<typeof team>;
export const teamPage = z.object({ teams: z.array(team), nextCursor });
export type TeamPage = z.infer<typeof teamPage>;

export const tag = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  color: z.enum(TAG_COLORS),
  activeTicketCount: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Tag = z.infer<typeof tag>;
export const tagPage = z.object({ tags: z.array(tag), nextCursor });
export type TagPage = z.infer<typeof tagPage>;
