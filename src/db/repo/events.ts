import type { Insertable } from 'kysely';
import type { Db } from '../engine.js';
import { prepared, runPrepared, stableLimit } from '../prepared.js';
import type { EventsTable } from '../tables.js';

export type EventDraft = Pick<Insertable<EventsTable>, 'type'> & { data: Record<string, unknown> };

/** The audit rows of one change by `actor`, which made `version` of the ticket: one statement per count of events. */
export async function insertEvents(
  db: Db,
  change: { ws: string; ticket: string; actor: string; version: number; at: string },
  events: EventDraft[],
): Promise<void> {
  const params: Record<string, unknown> = { ...change };
  events.forEach((e, i) => {
    params[`type${i}`] = e.type;
    params[`data${i}`] = JSON.stringify(e.data);
  });
  await runPrepared(db, `store.events:${events.length}`, params, (db, p) =>
    db.insertInto('events').values(
      events.map((_, i) => ({
        workspace_id: p.ws as string,
        ticket_id: p.ticket as string,
        type: p[`type${i}`] as EventDraft['type'],
        actor_id: p.actor as string,
        ticket_version: p.version as number,
        data: p[`data${i}`] as string,
        created_at: p.at as string,
      })),
    ),
  );
}

/** A ticket's events after seq `after`, oldest first (seqs start at 1, so "after 0" is the first page). */
export const historyRows = prepared('reads.history', (db, p: { ticket: string; after: number; limit: number }) =>
  db
    .selectFrom('events as e')
    .innerJoin('agents as a', 'a.id', 'e.actor_id')
    .select(['e.seq', 'e.type', 'a.name as actor', 'e.actor_id', 'e.created_at', 'e.ticket_version', 'e.data'])
    .where('e.ticket_id', '=', p.ticket)
    .where('e.seq', '>', p.after)
    .orderBy('e.seq', 'asc')
    .limit(stableLimit(p.limit)),
);

/** A workspace's events after seq `after`, oldest first, with the key of the ticket each changed. */
export const workspaceEventsAfter = prepared('reads.eventsAfter', (db, p: { ws: string; after: number; limit: number }) =>
  db
    .selectFrom('events as e')
    .innerJoin('tickets as t', 't.id', 'e.ticket_id')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .select(['e.seq', 'e.type', 't.number', 'tm.identifier as team_identifier'])
    .where('e.workspace_id', '=', p.ws)
    .where('e.seq', '>', p.after)
    .orderBy('e.seq', 'asc')
    .limit(stableLimit(p.limit)),
);

/** The newest event seq of a workspace (0 when it has none). */
export const latestEventSeq = prepared('reads.latestEvent', (db, p: { ws: string }) =>
  db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).where('workspace_id', '=', p.ws),
);
