import { addComment } from '../../tools/add_comment.js';
import { addTag } from '../../tools/add_tag.js';
import { assignTicket } from '../../tools/assign_ticket.js';
import { deleteTicket } from '../../tools/delete_ticket.js';
import { linkTickets } from '../../tools/link_tickets.js';
import { releaseTicket } from '../../tools/release_ticket.js';
import { removeTag } from '../../tools/remove_tag.js';
import { restoreTicket } from '../../tools/restore_ticket.js';
import { setTicketStatus } from '../../tools/set_ticket_status.js';
import { takeover } from '../../tools/takeover.js';
import { unlinkTickets } from '../../tools/unlink_tickets.js';
import type { Tool } from '../../tools/tool.js';
import { updateTicket } from '../../tools/update_ticket.js';
import type { Caller } from '../service/context.js';
import type { TicketService } from '../service/service.js';
import { parseArguments } from '../validation.js';

/**
 * What each button of the detail page does: a tool's own arguments, checked by that tool's
 * schema and run by its service operation with the person as the actor, so the console has
 * exactly the bounds, rules and error messages of the MCP surface.
 */
type Form = URLSearchParams;
const text = (form: Form, name: string) => form.get(name)?.trim() || undefined;
const version = (form: Form) => (form.has('version') ? Number(form.get('version')) : undefined);

const ACTIONS: Record<string, { tool: Tool; args: (key: string, form: Form) => Record<string, unknown> }> = {
  status: { tool: setTicketStatus, args: (id, f) => ({ id, status: text(f, 'status'), comment: text(f, 'comment'), expectedVersion: version(f) }) },
  assign: { tool: assignTicket, args: (id, f) => ({ id, assignedAgentId: text(f, 'assignee') ?? null, expectedVersion: version(f) }) },
  take: { tool: takeover, args: (id) => ({ id }) },
  priority: { tool: updateTicket, args: (id, f) => ({ id, priorityName: text(f, 'priority'), expectedVersion: version(f) }) },
  due: { tool: updateTicket, args: (id, f) => ({ id, dueDate: text(f, 'due') ?? null, expectedVersion: version(f) }) },
  tag: { tool: addTag, args: (ticketId, f) => ({ ticketId, tagId: text(f, 'tag') }) },
  untag: { tool: removeTag, args: (ticketId, f) => ({ ticketId, tagId: text(f, 'tag') }) },
  comment: { tool: addComment, args: (id, f) => ({ id, body: f.get('body') ?? '', internal: f.get('internal') === 'true' }) },
  team: { tool: updateTicket, args: (id, f) => ({ id, teamId: text(f, 'team'), expectedVersion: version(f) }) },
  release: { tool: releaseTicket, args: (id, f) => ({ id, expectedVersion: version(f) }) },
  link: { tool: linkTickets, args: (id, f) => ({ id, relatedId: text(f, 'related'), type: text(f, 'type') }) },
  unlink: { tool: unlinkTickets, args: (id, f) => ({ id, relatedId: text(f, 'related'), type: text(f, 'type') }) },
  restore: { tool: restoreTicket, args: (id, f) => ({ id, expectedVersion: version(f) }) },
  delete: { tool: deleteTicket, args: (id, f) => ({ id, confirm: f.get('confirm') === 'true', reason: text(f, 'reason'), expectedVersion: version(f) }) },
};

export const isAction = (name: string) => Object.hasOwn(ACTIONS, name);
export const ACTION_NAMES = Object.keys(ACTIONS);

/**
 * Runs the action: its success message and the ticket's key afterwards (a move to another
 * team gives it a new one), or throws the tool's refusal (a DomainError).
 */
export async function runAction(service: TicketService, caller: Caller, name: string, key: string, form: Form): Promise<{ message: string; key: string }> {
  const { tool, args } = ACTIONS[name]!;
  const given = Object.fromEntries(Object.entries(args(key, form)).filter(([, v]) => v !== undefined));
  const result = await tool.run(service, caller, parseArguments(tool.name, tool.input, given));
  const after = (result.data as { ticketIdentifier?: unknown }).ticketIdentifier;
  return { message: result.message, key: typeof after === 'string' ? after : key };
}
