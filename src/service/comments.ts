import type { Db } from '../db/engine.js';
import { insertComment as insertCommentRow } from '../db/repo/comments.js';
import type { Json, VersionGuard } from './arguments.js';
import { loadForChange, saveChange, type EventDraft, type LoadedTicket } from './changes.js';
import { newId, now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { agentOrCaller, agentRef } from './participants.js';
import type { AgentRecord } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { CommentAdded } from './views.js';

export interface AddCommentInput extends VersionGuard {
  id: string;
  body: string;
  internal?: boolean;
  authorId?: string;
}

/** A comment, and the event that records it: the event keeps the text itself, so the audit trail stands on its own. */
export async function insertComment(
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
  await insertCommentRow(db, {
    id,
    workspace_id: caller.workspaceId,
    ticket_id: ticket.id,
    author_id: authorId,
    body,
    is_internal: internal ? 1 : 0,
    created_at: at,
  });
  const data: Json = { commentId: id, body, internal };
  if (authorId !== caller.agentId) data.author = author && agentRef(author);
  return { id, event: { type: 'comment_added', data } };
}

export async function addComment(deps: ServiceDeps, caller: Caller, input: AddCommentInput): Promise<Result<CommentAdded>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.id, input.expectedVersion, 'take comments');
    const author = await agentOrCaller(db, caller, input.authorId);
    const internal = input.internal ?? false;
    const { id, event } = await insertComment(db, caller, ticket, author, input.body, internal, at);
    await saveChange(db, caller, ticket, {}, [event], at, input.expectedVersion);
    return {
      data: {
        comment: { id, author: author.name, authorId: author.id, body: input.body, internal, createdAt: at },
        ticket: await readTicketDetail(deps, db, ticket.id),
      },
      message: `${internal ? 'Internal note' : 'Comment'} added to ticket ${ticket.key}.`,
    };
  });
}
