import type { Kysely } from 'kysely';
import type { Tables } from '../src/db/tables.js';

/**
 * Just enough rows for engine tests on PostgreSQL (the service itself is not wired to it
 * yet): a workspace with one status, priority, sentiment, team, agent and contact, and
 * tickets, comments and events written straight to the tables.
 */
export interface SeededWorkspace {
  id: string;
  team: string;
  agent: string;
  contact: string;
  priority: string;
  sentiment: string;
}

const at = () => new Date().toISOString();
let serial = 0;
const id = (prefix: string) => `${prefix}_${process.pid}_${++serial}`;

export async function seedWorkspace(db: Kysely<Tables>, name: string): Promise<SeededWorkspace> {
  const ws: SeededWorkspace = { id: id('ws'), team: id('tm'), agent: id('ag'), contact: id('ct'), priority: id('pr'), sentiment: id('se') };
  await db.insertInto('workspaces').values({ id: ws.id, name, created_at: at() }).execute();
  await db.insertInto('statuses').values({ id: id('st'), workspace_id: ws.id, name: 'open', description: 'Open', position: 0 }).execute();
  await db.insertInto('priorities').values({ id: ws.priority, workspace_id: ws.id, name: 'Medium', position: 0, is_default: 1 }).execute();
  await db.insertInto('sentiments').values({ id: ws.sentiment, workspace_id: ws.id, name: 'Neutral', position: 0, is_default: 1 }).execute();
  const stamps = { created_at: at(), updated_at: at() };
  await db
    .insertInto('teams')
    .values({ id: ws.team, workspace_id: ws.id, name: 'Support', name_key: 'support', identifier: 'SUP', description: null, ...stamps })
    .execute();
  await db
    .insertInto('agents')
    .values({ id: ws.agent, workspace_id: ws.id, name: 'Ann', name_key: 'ann', email: 'ann@example.com', email_key: 'ann@example.com', kind: 'human', ...stamps })
    .execute();
  await db.insertInto('contacts').values({ id: ws.contact, workspace_id: ws.id, email: 'bob@example.com', email_key: 'bob@example.com', ...stamps }).execute();
  return ws;
}

/** A ticket numbered from its team's counter, as the service numbers them (UPDATE … RETURNING). */
export async function insertTicket(db: Kysely<Tables>, ws: SeededWorkspace, fields: { title: string; description?: string | null }): Promise<string> {
  const { ticket_counter: number } = await db
    .updateTable('teams')
    .set((eb) => ({ ticket_counter: eb('ticket_counter', '+', 1) }))
    .where('id', '=', ws.team)
    .returning('ticket_counter')
    .executeTakeFirstOrThrow();
  const ticket = id('tk');
  await db
    .insertInto('tickets')
    .values({
      id: ticket,
      workspace_id: ws.id,
      team_id: ws.team,
      number,
      title: fields.title,
      description: fields.description ?? null,
      status: 'open',
      priority_id: ws.priority,
      sentiment_id: ws.sentiment,
      contact_id: ws.contact,
      source: 'test',
      created_by: ws.agent,
      created_at: at(),
      updated_at: at(),
    })
    .execute();
  return ticket;
}

export async function insertComment(db: Kysely<Tables>, ws: SeededWorkspace, ticket: string, body: string): Promise<void> {
  await db
    .insertInto('comments')
    .values({ id: id('cm'), workspace_id: ws.id, ticket_id: ticket, author_id: ws.agent, body, created_at: at() })
    .execute();
}

export async function insertEvent(db: Kysely<Tables>, ws: SeededWorkspace, ticket: string): Promise<number> {
  const { seq } = await db
    .insertInto('events')
    .values({ workspace_id: ws.id, ticket_id: ticket, type: 'created', actor_id: ws.agent, ticket_version: 1, created_at: at() })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return seq;
}
