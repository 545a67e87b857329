import { assignTicket } from './assignment.js';
import { eachTicket } from './bulk.js';
import type { Caller } from './context.js';
import type { ServiceDeps } from './deps.js';
import { refuseInactive } from './participants.js';
import { findAgent, findStatus } from './refs.js';
import { deleteTicket, setTicketStatus } from './status.js';
import { addTag, checkTagsToAdd, removeTag, tagsToRemove, type TagsArgument } from './tags.js';

/**
 * The bulk forms of the ticket changes: what every ticket shares (the agent, the status,
 * the tags) is checked once, so a bad argument fails the whole call before any ticket
 * changes; then eachTicket runs the single change on each ticket.
 */
export interface BulkInput {
  ids: string[];
}

export async function assignTickets(deps: ServiceDeps, caller: Caller, input: BulkInput & { assignedAgentId: string | null }) {
  const ref = input.assignedAgentId;
  const agent = ref === null ? null : await findAgent(deps.engine.reader, caller.workspaceId, ref);
  if (agent) refuseInactive(agent, 'assignedAgentId');
  return eachTicket(deps, caller, input.ids, (id) => assignTicket(deps, caller, { id, assignedAgentId: agent?.id ?? null }));
}

export async function setTicketsStatus(deps: ServiceDeps, caller: Caller, input: BulkInput & { status: string; comment?: string }) {
  const status = findStatus(await deps.lookups.of(deps.engine.reader, caller.workspaceId), input.status, 'status');
  return eachTicket(deps, caller, input.ids, (id) => setTicketStatus(deps, caller, { id, status, ...(input.comment !== undefined && { comment: input.comment }) }));
}

export async function deleteTickets(deps: ServiceDeps, caller: Caller, input: BulkInput & { confirm: true; reason?: string }) {
  return eachTicket(deps, caller, input.ids, (id) => deleteTicket(deps, caller, { id, confirm: true, ...(input.reason !== undefined && { reason: input.reason }) }));
}

export async function addTagToTickets(deps: ServiceDeps, caller: Caller, input: { ticketIds: string[] } & TagsArgument) {
  await checkTagsToAdd(deps.engine.reader, caller.workspaceId, input);
  const { ticketIds, ...tags } = input;
  return eachTicket(deps, caller, ticketIds, (ticketId) => addTag(deps, caller, { ticketId, ...tags }));
}

export async function removeTagFromTickets(deps: ServiceDeps, caller: Caller, input: { ticketIds: string[] } & TagsArgument) {
  const tags = (await tagsToRemove(deps.engine.reader, caller.workspaceId, input)).map((t) => t.id);
  return eachTicket(deps, caller, input.ticketIds, (ticketId) => removeTag(deps, caller, { ticketId, tags }));
}
