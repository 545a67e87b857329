import { sql, type Insertable, type Updateable } from 'kysely';
import { engineSql, type Db } from '../engine.js';
import { executePrepared, prepared, runPrepared, stableLimit } from '../prepared.js';
import { LIVE_STATUSES } from '../../domain/lifecycle.js';
import type { TicketsTable } from '../tables.js';
import { startsWithText } from './like.js';
import { teamOfKey } from './teams.js';

/** A ticket's row with its team's identifier: what reference resolution and changes read. */
const ticketColumns = (db: Db) =>
  db
    .selectFrom('tickets')
    .innerJoin('teams', 'teams.id', 'tickets.team_id')
    .selectAll('tickets')
    .select('teams.identifier as team_identifier');

/** A ticket read for a change is locked where the engine locks rows: the same query, its own shape. */
const lockedIf = <QB extends ReturnType<typeof ticketColumns>>(db: Db, lock: boolean, query: QB): QB => (lock ? engineSql(db).lockForChange(query) : query);
const shapeOf = (name: string, lock: boolean) => (lock ? `${name}:lock` : name);

export const ticketById = (db: Db, p: { ws: string; id: string }, lock = false) =>
  runPrepared(db, shapeOf('refs.ticketById', lock), p, (db, q) =>
    lockedIf(db, lock, ticketColumns(db).where('tickets.workspace_id', '=', q.ws).where('tickets.id', '=', q.id)),
  );

/** The team first (by its identifier), then the (team_id, number) unique index. */
export const ticketByKey = (db: Db, p: { ws: string; identifier: string; number: number }, lock = false) =>
  runPrepared(db, shapeOf('refs.ticketByKey', lock), p, (db, q) =>
    lockedIf(db, lock, ticketColumns(db).where('tickets.team_id', '=', teamOfKey(db, q.ws, q.identifier)).where('tickets.number', '=', q.number)),
  );

export const ticketsByNumber = (db: Db, p: { ws: string; number: number; limit: number }, lock = false) =>
  runPrepared(db, shapeOf('refs.ticketsByNumber', lock), p, (db, q) =>
    lockedIf(db, lock, ticketColumns(db).where('tickets.workspace_id', '=', q.ws).where('tickets.number', '=', q.number).limit(stableLimit(q.limit))),
  );

/** One statement for the whole ticket: its row, what it joins to, and its tags as JSON. */
const detailQuery = (db: Db) =>
  db
    .selectFrom('tickets as t')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .innerJoin('contacts as c', 'c.id', 't.contact_id')
    .leftJoin('accounts as ac', 'ac.id', 't.account_id')
    .leftJoin('agents as ag', 'ag.id', 't.assignee_id')
    .selectAll('t')
    .select([
      'tm.name as team_name',
      'tm.identifier as team_identifier',
      'c.email as contact_email',
      'c.first_name as contact_first_name',
      'c.last_name as contact_last_name',
      'ac.name as account_name',
      'ag.name as assignee_name',
      'ag.email as assignee_email',
      engineSql(db).tagsJson(sql.ref('t.id')).as('tags_json'),
    ]);

export const ticketDetailRow = prepared('store.ticketDetail', (db, p: { id: string }) => detailQuery(db).where('t.id', '=', p.id));

/** A ticket's row with what it joins to, as ticketDetailRow reads it (the seq aside, which no answer shows). */
export type DetailRow = Omit<Awaited<ReturnType<typeof ticketDetailRow>>[number], 'seq'>;

/** The same, with the comment count and the newest comments: still one statement. */
const withComments = (db: Db, shown: number, textBudget: number) =>
  detailQuery(db).select([
    sql<number>`(SELECT count(*) FROM comments WHERE ticket_id = t.id)`.as('comment_count'),
    engineSql(db).newestCommentsJson(sql.ref('t.id'), shown, textBudget).as('comments_json'),
  ]);

/**
 * The ticket by id and by key with its comment count and its newest `shown` comments, their
 * text cut to `textBudget`: both numbers are literals of the statement, so each pair is one shape.
 */
export function ticketWithCommentsRows(shown: number, textBudget: number) {
  const shape = `${shown},${textBudget}`;
  return {
    byId: prepared(`store.ticketWithComments:${shape}`, (db, p: { id: string }) => withComments(db, shown, textBudget).where('t.id', '=', p.id)),
    /** By key, the key's lookup is part of the statement: get_ticket's usual case reads the ticket once. */
    byKey: prepared(`store.ticketWithCommentsByKey:${shape}`, (db, p: { ws: string; identifier: string; number: number }) =>
      withComments(db, shown, textBudget).where('t.team_id', '=', teamOfKey(db, p.ws, p.identifier)).where('t.number', '=', p.number),
    ),
  };
}

export type TicketWithCommentsRow = Awaited<ReturnType<ReturnType<typeof ticketWithCommentsRows>['byId']>>[number];

/** Every column, always: one statement shape for every new ticket. */
const TICKET_COLUMNS = [
  'id', 'workspace_id', 'team_id', 'number', 'title', 'description', 'status', 'priority_id', 'sentiment_id', 'type_id',
  'account_id', 'assignee_id', 'contact_id', 'submitter_email', 'due_date', 'source', 'is_private', 'form_id', 'metadata',
  'custom_field_values', 'attachment_urls', 'ai_generated_title', 'ai_generated_summary', 'chat_id', 'circumstance',
  'created_by', 'ongoing_at', 'created_at', 'updated_at',
] as const satisfies readonly (keyof TicketsTable)[];

export const insertTicket = prepared('tickets.insertTicket', (db, p: Insertable<TicketsTable>) =>
  db.insertInto('tickets').values(Object.fromEntries(TICKET_COLUMNS.map((c) => [c, p[c]])) as Insertable<TicketsTable>),
);

/**
 * Writes a change over the version it was read at; false when the ticket is no longer at
 * that version (a concurrent change won). One statement shape per set of columns.
 */
export async function updateTicketAtVersion(
  db: Db,
  id: string,
  version: number,
  patch: Updateable<TicketsTable>,
  at: string,
): Promise<boolean> {
  const columns = Object.keys(patch).sort() as (keyof TicketsTable)[];
  const result = await executePrepared(
    db,
    `store.update:${columns.join(',')}`,
    { ...patch, __version: version, __next: version + 1, __at: at, __id: id } as Record<string, unknown>,
    (db, p) =>
      db
        .updateTable('tickets')
        .set({ ...Object.fromEntries(columns.map((c) => [c, p[c]])), version: p.__next as number, updated_at: p.__at as string })
        .where('id', '=', p.__id as string)
        .where('version', '=', p.__version as number),
  );
  return result.numAffectedRows === 1n;
}

export const liveTicketOfChat = prepared('tickets.liveTicketOfChat', (db, p: { ws: string; chat: string }) =>
  db
    .selectFrom('tickets')
    .innerJoin('teams', 'teams.id', 'tickets.team_id')
    .select(['teams.identifier as team_identifier', 'tickets.number', 'tickets.status'])
    .where('tickets.workspace_id', '=', p.ws)
    .where('tickets.chat_id', '=', p.chat)
    .where('tickets.status', '!=', 'closed')
    .where('tickets.deleted_at', 'is', null),
);

/** The ids of an agent's live (open or pending, not deleted) tickets, oldest first: what a handover moves. */
export const liveTicketIdsOf = (db: Db, agentId: string, limit: number) =>
  db
    .selectFrom('tickets')
    .select('id')
    .where('assignee_id', '=', agentId)
    .where('status', 'in', LIVE_STATUSES)
    .where('deleted_at', 'is', null)
    .orderBy('seq')
    .limit(stableLimit(limit))
    .execute()
    .then((rows) => rows.map((r) => r.id));

export const ticketVersion = (db: Db, id: string) =>
  db.selectFrom('tickets').select('version').where('id', '=', id).executeTakeFirstOrThrow().then((r) => r.version);

/** Keys of live tickets whose team identifier and number start as typed, most recently active first. */
export async function ticketKeysStartingWith(db: Db, workspaceId: string, identifier: string, number: string | undefined, limit: number) {
  let query = db
    .selectFrom('tickets as t')
    .innerJoin('teams as tm', 'tm.id', 't.team_id')
    .select(['tm.identifier as team_identifier', 't.number'])
    .where('t.workspace_id', '=', workspaceId)
    .where('t.deleted_at', 'is', null)
    .where(startsWithText('tm.identifier', identifier));
  if (number) query = query.where(sql<string>`CAST(t.number AS TEXT)`, 'like', `${number}%`);
  return query.orderBy('t.updated_at', 'desc').limit(stableLimit(limit)).execute();
}
