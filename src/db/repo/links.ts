import { sql, type Insertable } from 'kysely';
import type { LinkType } from '../../domain/queue.js';
import type { Db } from '../engine.js';
import { prepared } from '../prepared.js';
import type { TicketLinksTable } from '../tables.js';

/** The link of `type` between two tickets, in either direction: its row as stored, or undefined. */
export const linkBetween = (db: Db, a: string, b: string, type: LinkType) =>
  db
    .selectFrom('ticket_links')
    .select(['ticket_id', 'related_id', 'type'])
    .where('type', '=', type)
    .where((eb) =>
      eb.or([eb.and([eb('ticket_id', '=', a), eb('related_id', '=', b)]), eb.and([eb('ticket_id', '=', b), eb('related_id', '=', a)])]),
    )
    .executeTakeFirst();

/**
 * Whether `from` blocks `to` through a chain of blocks links (any length). The walk keeps
 * each ticket once (UNION), so it ends even on a cycle already stored.
 */
export const blocksThroughChain = (db: Db, from: string, to: string) =>
  db
    .withRecursive('reach(id)', (qb) =>
      qb
        .selectFrom('ticket_links')
        .select('related_id as id')
        .where('ticket_id', '=', from)
        .where('type', '=', 'blocks')
        .union((u) =>
          u.selectFrom('ticket_links as l').innerJoin('reach as r', 'r.id', 'l.ticket_id').select('l.related_id as id').where('l.type', '=', 'blocks'),
        ),
    )
    .selectFrom('reach')
    .select('id')
    .where('id', '=', to)
    .limit(1)
    .executeTakeFirst()
    .then((row) => row !== undefined);

export const insertLink = (db: Db, link: Insertable<TicketLinksTable>) => db.insertInto('ticket_links').values(link).execute();

export const deleteLink = (db: Db, link: { ticket_id: string; related_id: string; type: LinkType }) =>
  db
    .deleteFrom('ticket_links')
    .where('ticket_id', '=', link.ticket_id)
    .where('related_id', '=', link.related_id)
    .where('type', '=', link.type)
    .execute();

export const linkCount = (db: Db, ticketId: string) =>
  db
    .selectFrom('ticket_links')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.or([eb('ticket_id', '=', ticketId), eb('related_id', '=', ticketId)]))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));

/** A link's row, as read from one of its tickets: the other ticket's key, title and status. */
const linkSide = (db: Db, ticketId: string, mine: 'ticket_id' | 'related_id', other: 'ticket_id' | 'related_id', direction: 'out' | 'in') =>
  db
    .selectFrom('ticket_links as l')
    .innerJoin('tickets as o', 'o.id', `l.${other}`)
    .innerJoin('teams as tm', 'tm.id', 'o.team_id')
    .select(['l.type', 'o.number', 'tm.identifier as team_identifier', 'o.title', 'o.status', 'o.deleted_at', 'l.created_at'])
    .select(sql.lit(direction).as('direction'))
    .where(`l.${mine}`, '=', ticketId);

/** Both sides in one prepared statement (SQLite cannot order this compound select by its columns: the caller sorts). */
const linkRows = prepared('links.ofTicket', (db, p: { id: string }) =>
  linkSide(db, p.id, 'ticket_id', 'related_id', 'out').unionAll(linkSide(db, p.id, 'related_id', 'ticket_id', 'in')),
);

/** A ticket's links from both sides, oldest first. A ticket has at most MAX_LINKS_PER_TICKET. */
export async function linksOfTicket(db: Db, ticketId: string) {
  return (await linkRows(db, { id: ticketId }))
    .map((l) => ({ ...l, type: l.type as LinkType, direction: l.direction as 'out' | 'in' }))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.number - b.number);
}
