import { attachTag, detachTag, tagIdsOfTicket } from '../db/repo/tags.js';
import { notFound, validationError } from '../errors.js';
import type { VersionGuard } from './arguments.js';
import { loadForChange, saveChange } from './changes.js';
import { now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { insertTag } from './tag-directory.js';
import { findTag, findTagOrUndefined } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { TicketDetail } from './views.js';

/**
 * Every list row and ticket answer shows all of a ticket's tags: at 20 tags of up to 50
 * characters, a page of 20 rows carries at most about 21 KB of tag names (50 tags would
 * allow 52 KB). Tickets in practice carry a handful.
 */
export const MAX_TAGS_PER_TICKET = 20;

export interface TagTicketInput extends VersionGuard {
  ticketId: string;
  tagId: string;
}

export async function addTag(deps: ServiceDeps, caller: Caller, input: TagTicketInput): Promise<Result<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ws = caller.workspaceId;
    const ticket = await loadForChange(db, caller, input.ticketId, input.expectedVersion, 'be tagged');
    const found = await findTagOrUndefined(db, ws, input.tagId);
    const name = input.tagId.trim();
    if (!found && name.startsWith('tg_')) throw notFound(`No tag with id "${name}".`, { hint: 'Pass a tag id or a name; list_tags shows them.' });
    const attached = await tagIdsOfTicket(db, ticket.id);
    if (found && attached.includes(found.id)) {
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
    await attachTag(db, { workspace_id: ws, ticket_id: ticket.id, tag_id: tag.id, created_by: caller.agentId, created_at: at });
    await saveChange(db, caller, ticket, {}, [{ type: 'tag_added', data: { tagId: tag.id, tag: tag.name } }], at, input.expectedVersion);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      message: `Tag "${tag.name}"${created} added to ticket ${ticket.key}.`,
    };
  });
}

export async function removeTag(deps: ServiceDeps, caller: Caller, input: TagTicketInput): Promise<Result<TicketDetail>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.ticketId, input.expectedVersion, 'be untagged');
    const tag = await findTag(db, caller.workspaceId, input.tagId);
    if (!(await detachTag(db, ticket.id, tag.id))) {
      return {
        data: await readTicketDetail(deps, db, ticket.id),
        message: `Ticket ${ticket.key} does not have tag "${tag.name}"; nothing changed.`,
      };
    }
    await saveChange(db, caller, ticket, {}, [{ type: 'tag_removed', data: { tagId: tag.id, tag: tag.name } }], at, input.expectedVersion);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      message: `Tag "${tag.name}" removed from ticket ${ticket.key}.`,
    };
  });
}
