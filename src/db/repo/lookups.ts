import type { Db } from '../engine.js';

/** A workspace's lookup rows, in their order: statuses, priorities, sentiments, ticket types, and its first team. */
export async function lookupRows(db: Db, workspaceId: string) {
  const withDefault = (table: 'priorities' | 'sentiments') =>
    db.selectFrom(table).select(['id', 'name', 'is_default']).where('workspace_id', '=', workspaceId).orderBy('position').execute();
  const statuses = await db.selectFrom('statuses').select(['id', 'name']).where('workspace_id', '=', workspaceId).orderBy('position').execute();
  const types = await db.selectFrom('ticket_types').select(['id', 'name']).where('workspace_id', '=', workspaceId).orderBy('position').execute();
  const team = await db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return { statuses, priorities: await withDefault('priorities'), sentiments: await withDefault('sentiments'), types, firstTeamId: team.id };
}
