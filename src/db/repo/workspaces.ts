import type { Db } from '../engine.js';

export const workspaceNamed = (db: Db, name: string) => db.selectFrom('workspaces').selectAll().where('name', '=', name).executeTakeFirst();

export const insertWorkspace = (db: Db, row: { id: string; name: string; created_at: string }) => db.insertInto('workspaces').values(row).execute();

/** Every workspace with its count of tickets, by name. */
export const workspacesWithCounts = (db: Db) =>
  db
    .selectFrom('workspaces as w')
    .select((eb) => [
      'w.name',
      'w.created_at',
      eb.selectFrom('tickets').select(eb.fn.countAll<number>().as('n')).whereRef('tickets.workspace_id', '=', 'w.id').as('tickets'),
    ])
    .orderBy('w.name')
    .execute();

/** A new workspace's lookup rows: statuses and their moves, priorities, sentiments, ticket types. */
export async function insertLookups(
  db: Db,
  ws: string,
  rows: {
    statuses: { id: string; name: string; description: string; position: number }[];
    moves: { from: string; to: string }[];
    priorities: { id: string; name: string; position: number; is_default: number }[];
    sentiments: { id: string; name: string; position: number; is_default: number }[];
    types: { id: string; name: string; position: number }[];
  },
): Promise<void> {
  await db.insertInto('statuses').values(rows.statuses.map((s) => ({ ...s, workspace_id: ws }))).execute();
  await db
    .insertInto('status_transitions')
    .values(rows.moves.map((m) => ({ workspace_id: ws, from_status: m.from, to_status: m.to })))
    .execute();
  await db.insertInto('priorities').values(rows.priorities.map((r) => ({ ...r, workspace_id: ws }))).execute();
  await db.insertInto('sentiments').values(rows.sentiments.map((r) => ({ ...r, workspace_id: ws }))).execute();
  await db.insertInto('ticket_types').values(rows.types.map((r) => ({ ...r, workspace_id: ws }))).execute();
}
