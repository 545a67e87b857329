import type { Insertable } from 'kysely';
import type { Db } from '../engine.js';
import { prepared } from '../prepared.js';
import type { FormerTicketKeysTable } from '../tables.js';
import { teamOfKey } from './teams.js';

/** The keys a ticket had before it moved to another team: each keeps naming it. */
export const insertFormerKey = (db: Db, row: Insertable<FormerTicketKeysTable>) => db.insertInto('former_ticket_keys').values(row).execute();

/** The ticket a former key names, by the team of its identifier and the (team_id, number) primary key. */
export const ticketIdOfFormerKey = prepared('refs.ticketIdOfFormerKey', (db, p: { ws: string; identifier: string; number: number }) =>
  db.selectFrom('former_ticket_keys').select('ticket_id').where('team_id', '=', teamOfKey(db, p.ws, p.identifier)).where('number', '=', p.number),
);
