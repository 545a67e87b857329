import type { Db } from '../db/engine.js';
import { attachTag, detachTag, tagIdsOfTicket } from '../db/repo/tags.js';
import { notFound, validationError } from '../errors.js';
import type { VersionGuard } from './arguments.js';
import { loadForChange, saveChange, type EventDraft } from './changes.js';
import { now, type Caller } from './context.js';
import type { Change, ServiceDeps } from './deps.js';
import { insertTag, validTagName } from './tag-directory.js';
import { findTag, findTagOrUndefined, type TagRecord } from './refs.js';
import { readTicketDetail } from './ticket-view.js';
import type { TicketDetail } from './views.js';

/**
 * Every list row and ticket answer shows all of a ticket's tags: at 20 tags of up to 50
 * characters, a page of 20 rows carries at most about 21 KB of tag names (50 tags would
 * allow 52 KB). Tickets in practice carry a handful.
 */
export const MAX_TAGS_PER_TICKET = 20;

/** The tags of one call: `tagId` for one, or `tags` for several (the tool asks for exactly one of them). */
export interface TagsArgument {
  tagId?: string;
  tags?: string[];
}

export interface TagTicketInput extends VersionGuard, TagsArgument {
  ticketId: string;
}

/** The tag references of a call, each once (trimmed, any case), at most MAX_TAGS_PER_TICKET. */
function tagRefs(input: TagsArgument): string[] {
  const refs = [...new Map([...(input.tags ?? []), ...(input.tagId === undefined ? [] : [input.tagId])].map((r) => [r.trim().toLowerCase(), r.trim()])).values()];
  if (refs.length === 0) throw validationError('Pass `tagId` for one tag or `tags` for several.');
  if (refs.length > MAX_TAGS_PER_TICKET) {
    throw validationError(`\`tags\` must have at most ${MAX_TAGS_PER_TICKET} items, not ${refs.length}.`, { hint: 'A ticket carries at most 20 tags.' });
  }
  return refs;
}

/** An existing tag, or a valid name for a new one; NOT_FOUND for an unknown tag id. */
async function tagOrNewName(db: Db, ws: string, ref: string): Promise<TagRecord | string> {
  const found = await findTagOrUndefined(db, ws, ref);
  if (found) return found;
  if (ref.startsWith('tg_')) throw notFound(`No tag with id "${ref}".`, { hint: 'Pass a tag id or a name; list_tags shows them.' });
  return validTagName(ref, 'tagId');
}

/** Checks the tags of an add_tag call before any ticket changes: a bad one fails the whole call. */
export async function checkTagsToAdd(db: Db, ws: string, input: TagsArgument): Promise<void> {
  for (const ref of tagRefs(input)) await tagOrNewName(db, ws, ref);
}

/** The tags of a remove_tag call, which must all exist. */
export async function tagsToRemove(db: Db, ws: string, input: TagsArgument): Promise<TagRecord[]> {
  const tags: TagRecord[] = [];
  for (const ref of tagRefs(input)) tags.push(await findTag(db, ws, ref));
  return tags;
}

const quoted = (tags: { name: string }[]) => tags.map((t) => `"${t.name}"`).join(', ');

export async function addTag(deps: ServiceDeps, caller: Caller, input: TagTicketInput): Promise<Change<TicketDetail>> {
  const refs = tagRefs(input);
  return deps.engine.write(async (db) => {
    const at = now();
    const ws = caller.workspaceId;
    const ticket = await loadForChange(db, caller, input.ticketId, input.expectedVersion, 'be tagged');
    const attached = await tagIdsOfTicket(db, ticket.id);
    const already: TagRecord[] = [];
    const adding: { tag: TagRecord; created: boolean }[] = [];
    for (const ref of refs) {
      const found = await tagOrNewName(db, ws, ref);
      if (typeof found !== 'string' && (attached.includes(found.id) || adding.some((a) => a.tag.id === found.id))) already.push(found);
      // A new name is checked first; refused below, the new tag is rolled back with the rest.
      else adding.push(typeof found === 'string' ? { tag: await insertTag(db, ws, { name: found }, at, 'tagId'), created: true } : { tag: found, created: false });
    }
    const had = already.length === 0 ? '' : `; it already had ${quoted(already)}`;
    if (adding.length === 0) {
      return { data: await readTicketDetail(deps, db, ticket.id), changed: false, message: `Ticket ${ticket.key} already has ${quoted(already)}; nothing changed.` };
    }
    if (attached.length + adding.length > MAX_TAGS_PER_TICKET) {
      const names = quoted(adding.map((a) => a.tag));
      const one = adding.length === 1;
      throw validationError(
        attached.length >= MAX_TAGS_PER_TICKET
          ? `Ticket ${ticket.key} already has ${attached.length} tags, the most a ticket carries; ${names} ${one ? 'was' : 'were'} not added.`
          : `Ticket ${ticket.key} has ${attached.length} tags; adding ${names} would pass ${MAX_TAGS_PER_TICKET}, the most a ticket carries. Nothing was added.`,
        { hint: `Remove a tag first (remove_tag), then add ${one ? 'this one' : 'these'}.`, details: { maxTags: MAX_TAGS_PER_TICKET } },
      );
    }
    const events: EventDraft[] = [];
    for (const { tag } of adding) {
      await attachTag(db, { workspace_id: ws, ticket_id: ticket.id, tag_id: tag.id, created_by: caller.agentId, created_at: at });
      events.push({ type: 'tag_added', data: { tagId: tag.id, tag: tag.name } });
    }
    await saveChange(db, caller, ticket, {}, events, at, input.expectedVersion);
    const names = adding.map((a) => `"${a.tag.name}"${a.created ? ' (new tag)' : ''}`).join(', ');
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      changed: true,
      message: `Tag${adding.length === 1 ? '' : 's'} ${names} added to ticket ${ticket.key}${had}.`,
    };
  });
}

export async function removeTag(deps: ServiceDeps, caller: Caller, input: TagTicketInput): Promise<Change<TicketDetail>> {
  const refs = tagRefs(input);
  return deps.engine.write(async (db) => {
    const at = now();
    const ticket = await loadForChange(db, caller, input.ticketId, input.expectedVersion, 'be untagged');
    const removed: TagRecord[] = [];
    const absent: TagRecord[] = [];
    for (const ref of refs) {
      const tag = await findTag(db, caller.workspaceId, ref);
      ((await detachTag(db, ticket.id, tag.id)) ? removed : absent).push(tag);
    }
    const lacked = absent.length === 0 ? '' : `; it did not have ${quoted(absent)}`;
    if (removed.length === 0) {
      return { data: await readTicketDetail(deps, db, ticket.id), changed: false, message: `Ticket ${ticket.key} does not have ${quoted(absent)}; nothing changed.` };
    }
    const events: EventDraft[] = removed.map((tag) => ({ type: 'tag_removed', data: { tagId: tag.id, tag: tag.name } }));
    await saveChange(db, caller, ticket, {}, events, at, input.expectedVersion);
    return {
      data: await readTicketDetail(deps, db, ticket.id),
      changed: true,
      message: `Tag${removed.length === 1 ? '' : 's'} ${quoted(removed)} removed from ticket ${ticket.key}${lacked}.`,
    };
  });
}
