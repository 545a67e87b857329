import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fails, ok, spawnServer, tempDir } from './helpers.js';

/**
 * Bounds on what one call can store, through the built bin over stdio: tags per ticket,
 * invisible characters in the names records are picked by, and dates that still sort.
 */
const { dir, cleanup } = tempDir();
const db = join(dir, 'bounds.db');
let client: Client;

beforeAll(async () => {
  client = (await spawnServer(['--db', db, '--log-level', 'error'])).client;
});

afterAll(async () => {
  await client.close();
  cleanup();
});

function rows(sql: string, ...params: unknown[]): unknown[] {
  const raw = new BetterSqlite3(db, { readonly: true });
  try {
    return raw.prepare(sql).all(...params);
  } finally {
    raw.close();
  }
}

describe('tags per ticket', () => {
  it('takes 20 tags, refuses a 21st with the way forward, and takes it once one is removed', async () => {
    const ticket = await ok(client, 'create_ticket', { title: 'Tagged to the brim', requestorEmail: 'tags@example.com' });
    for (let i = 0; i < 20; i++) await ok(client, 'add_tag', { ticketId: ticket.ticketIdentifier, tagId: `label-${i}` });
    const error = await fails(client, 'add_tag', { ticketId: ticket.ticketIdentifier, tagId: 'one-too-many' }, 'VALIDATION_ERROR');
    expect(error.message).toBe(`Ticket ${ticket.ticketIdentifier} already has 20 tags, the most a ticket carries; "one-too-many" was not added.`);
    expect(error.hint).toBe('Remove a tag first (remove_tag), then add this one.');
    // Neither the tag nor an event was written, and a tag the ticket has is still a no-op success.
    expect((await ok(client, 'list_tags', { search: 'one-too-many' })).tags).toEqual([]);
    expect(rows("SELECT 1 FROM events WHERE ticket_id = ? AND type = 'tag_added'", ticket.id)).toHaveLength(20);
    expect((await ok(client, 'add_tag', { ticketId: ticket.ticketIdentifier, tagId: 'LABEL-3' })).tags).toHaveLength(20);
    await ok(client, 'remove_tag', { ticketId: ticket.ticketIdentifier, tagId: 'label-0' });
    const tagged = await ok(client, 'add_tag', { ticketId: ticket.ticketIdentifier, tagId: 'one-too-many' });
    expect(tagged.tags).toHaveLength(20);
    expect(tagged.tags.map((t: { name: string }) => t.name)).toContain('one-too-many');
  });
});

describe('invisible characters', () => {
  it('refuses them in emails and in agent, team, tag and account names, naming the field and the character', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['create_agent', { name: 'Bob', email: 'bob\u200b@example.com' }, 'email', 'U+200B'],
      ['create_agent', { name: 'Bob\u202eboB', email: 'bob@example.com' }, 'name', 'U+202E'],
      ['create_agent', { name: 'Bob\u2066', email: 'bob@example.com' }, 'name', 'U+2066'],
      ['create_team', { name: 'Sup\u200dport', identifier: 'SUP2' }, 'name', 'U+200D'],
      ['create_tag', { name: 'vi\u00adp' }, 'name', 'U+00AD'],
      ['create_ticket', { title: 'Hi', requestorEmail: 'jo@exa\u200cmple.com' }, 'requestorEmail', 'U+200C'],
      ['create_ticket', { title: 'Hi', requestorEmail: 'jo@example.com', accountId: 'Acme\u3164' }, 'accountId', 'U+3164'],
      ['add_tag', { ticketId: 'SUP-1', tagId: 'vi\ufeffp' }, 'tagId', 'U+FEFF'],
      ['update_agent', { id: 'Assistant', name: 'Assis\u0007tant' }, 'name', 'U+0007'],
    ];
    for (const [tool, args, field, character] of cases) {
      const error = await fails(client, tool, args, 'VALIDATION_ERROR');
      expect(error.message, tool).toContain(`\`${field}\``);
      expect(error.message, tool).toContain(`contains ${character}, an invisible or control character`);
    }
    expect(rows("SELECT name FROM agents WHERE name LIKE 'Bob%' OR email LIKE 'bob%'")).toEqual([]);
    expect(rows("SELECT name FROM tags WHERE name LIKE 'vi%'")).toEqual([]);
    expect(rows("SELECT email FROM contacts WHERE email LIKE 'jo@%'")).toEqual([]);
  });

  it('still takes names and emails in any script', async () => {
    expect(await ok(client, 'create_agent', { name: 'Émile Zola', email: 'jö@example.com' })).toMatchObject({ name: 'Émile Zola', email: 'jö@example.com' });
    expect((await ok(client, 'create_team', { name: 'Ωmega サポート', identifier: 'OMG' })).name).toBe('Ωmega サポート');
    expect((await ok(client, 'create_tag', { name: 'vip 🎉' })).name).toBe('vip 🎉');
  });
});

describe('dates', () => {
  it('refuses years outside 1970 to 9999 in UTC, which would not sort as text', async () => {
    const ticket = await ok(client, 'create_ticket', { title: 'Due some day', requestorEmail: 'due@example.com', dueDate: '9999-12-31' });
    expect(ticket.dueDate).toBe('9999-12-31T00:00:00.000Z');
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['create_ticket', { title: 'x', requestorEmail: 'due@example.com', dueDate: '9999-12-31T23:00:00-05:00' }, 'dueDate', '+010000-01-01T04:00:00.000Z'],
      ['create_ticket', { title: 'x', requestorEmail: 'due@example.com', dueDate: '1969-12-31' }, 'dueDate', '1969-12-31T00:00:00.000Z'],
      ['update_ticket', { id: ticket.ticketIdentifier, dueDate: '0000-01-01T00:00:00+01:00' }, 'dueDate', '-000001-12-31T23:00:00.000Z'],
      ['list_tickets', { dueBefore: '0001-01-01' }, 'dueBefore', '0001-01-01T00:00:00.000Z'],
    ];
    for (const [tool, args, field, utc] of cases) {
      const error = await fails(client, tool, args, 'VALIDATION_ERROR');
      expect(error.message).toContain(`\`${field}\`: must fall between 1970-01-01 and 9999-12-31 in UTC; "${args[field]}" is ${utc} in UTC`);
    }
    expect(rows('SELECT due_date FROM tickets WHERE due_date IS NOT NULL')).toEqual([{ due_date: '9999-12-31T00:00:00.000Z' }]);
    const due = await ok(client, 'list_tickets', { dueBefore: '9999-12-31T23:59:59Z' });
    expect(due.tickets.map((t: { key: string }) => t.key)).toEqual([ticket.ticketIdentifier]);
  });
});
