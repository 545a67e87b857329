import type { Db } from '../db/engine.js';
import { blocksThroughChain, deleteLink, insertLink, linkBetween, linkCount } from '../db/repo/links.js';
import { refuseIfStale } from '../domain/lifecycle.js';
import { linkWords, MAX_LINKS_PER_TICKET, type LinkType } from '../domain/queue.js';
import { validationError } from '../errors.js';
import type { VersionGuard } from './arguments.js';
import { loadForChange, saveChange, type LoadedTicket } from './changes.js';
import { now, type Caller } from './context.js';
import type { Result, ServiceDeps } from './deps.js';
import { findTicket } from './refs.js';
import { readTicketWithLinks } from './ticket-view.js';
import type { TicketWithLinks } from './views.js';

export interface LinkInput extends VersionGuard {
  id: string;
  relatedId: string;
  type: LinkType;
}

/**
 * The two tickets of a link, locked in the order of their ids whichever way round they
 * were named, so two changes touching the same pair cannot deadlock. Closed tickets may
 * be linked (a follow-up points at one); deleted ones may not.
 */
async function loadPair(db: Db, caller: Caller, input: LinkInput): Promise<{ ticket: LoadedTicket; related: LoadedTicket }> {
  const [a, b] = [await findTicket(db, caller.workspaceId, input.id), await findTicket(db, caller.workspaceId, input.relatedId)];
  if (a.id === b.id) throw validationError(`\`relatedId\` names ${a.team_identifier}-${a.number} itself; a ticket cannot be linked to itself.`);
  const [first, second] = [a.id, b.id].sort();
  const locked = new Map<string, LoadedTicket>();
  for (const id of [first!, second!]) locked.set(id, await loadForChange(db, caller, id, undefined, undefined));
  const ticket = locked.get(a.id)!;
  refuseIfStale(ticket, input.expectedVersion);
  return { ticket, related: locked.get(b.id)! };
}

/**
 * Links `ticket` to `related` with its events on both (each one a new version, named from
 * its own side); false when the link is already there. A link of a type that reads one
 * way (blocks, duplicates, follows up) cannot also run the other way, nor can blocks close a cycle.
 */
export async function addLink(db: Db, caller: Caller, ticket: LoadedTicket, related: LoadedTicket, type: LinkType, at: string): Promise<boolean> {
  const existing = await linkBetween(db, ticket.id, related.id, type);
  if (existing && (existing.ticket_id === ticket.id || type === 'relates_to')) return false;
  if (existing) {
    throw validationError(`${related.key} already ${linkWords(type, 'out')} ${ticket.key}; a ${type} link cannot also run the other way.`, {
      hint: `Remove it first with unlink_tickets, or leave it as it is.`,
    });
  }
  // A longer blocks cycle would keep every ticket on it out of claim_next_ticket for good.
  if (type === 'blocks' && (await blocksThroughChain(db, related.id, ticket.id))) {
    throw validationError(
      `${related.key} already blocks ${ticket.key} through other tickets; ${ticket.key} blocks ${related.key} would make a cycle that none of them could leave. Nothing was linked.`,
      { hint: 'get_ticket shows each ticket\'s links; unlink_tickets removes one.' },
    );
  }
  for (const t of [ticket, related]) {
    if ((await linkCount(db, t.id)) >= MAX_LINKS_PER_TICKET) {
      throw validationError(`${t.key} already has ${MAX_LINKS_PER_TICKET} links, the most a ticket carries; nothing was linked.`, {
        hint: 'Remove a link it no longer needs (unlink_tickets) first.',
        details: { maxLinks: MAX_LINKS_PER_TICKET },
      });
    }
  }
  await insertLink(db, { workspace_id: caller.workspaceId, ticket_id: ticket.id, related_id: related.id, type, created_by: caller.agentId, created_at: at });
  await saveChange(db, caller, ticket, {}, [{ type: 'linked', data: { link: linkWords(type, 'out'), key: related.key } }], at);
  await saveChange(db, caller, related, {}, [{ type: 'linked', data: { link: linkWords(type, 'in'), key: ticket.key } }], at);
  return true;
}

export async function linkTickets(deps: ServiceDeps, caller: Caller, input: LinkInput): Promise<Result<TicketWithLinks>> {
  return deps.engine.write(async (db) => {
    const { ticket, related } = await loadPair(db, caller, input);
    const phrase = `${ticket.key} ${linkWords(input.type, 'out')} ${related.key}`;
    const linked = await addLink(db, caller, ticket, related, input.type, now());
    return {
      data: await readTicketWithLinks(deps, db, ticket.id),
      message: linked ? `Linked: ${phrase} (both tickets got a new version).` : `Already linked: ${phrase}; nothing changed.`,
    };
  });
}

/** Removes the link of `type` between the two tickets, whichever way it runs, with its events on both. */
export async function unlinkTickets(deps: ServiceDeps, caller: Caller, input: LinkInput): Promise<Result<TicketWithLinks>> {
  return deps.engine.write(async (db) => {
    const at = now();
    const { ticket, related } = await loadPair(db, caller, input);
    const existing = await linkBetween(db, ticket.id, related.id, input.type);
    if (!existing) {
      return {
        data: await readTicketWithLinks(deps, db, ticket.id),
        message: `${ticket.key} and ${related.key} have no ${input.type} link; nothing changed.`,
      };
    }
    const [from, to] = existing.ticket_id === ticket.id ? [ticket, related] : [related, ticket];
    await deleteLink(db, existing);
    await saveChange(db, caller, from, {}, [{ type: 'unlinked', data: { link: linkWords(input.type, 'out'), key: to.key } }], at);
    await saveChange(db, caller, to, {}, [{ type: 'unlinked', data: { link: linkWords(input.type, 'in'), key: from.key } }], at);
    return {
      data: await readTicketWithLinks(deps, db, ticket.id),
      message: `Unlinked: ${from.key} no longer ${linkWords(input.type, 'out')} ${to.key}.`,
    };
  });
}
