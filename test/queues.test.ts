import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines, openEngineService } from './engines.js';
import { call, connectInMemory, everyPage, fails, ok } from './helpers.js';

/**
 * Queues, agents who share a name, and answers a model can afford: through a real MCP
 * client on each engine. Sorted lists are paged two rows at a time, so every page
 * boundary (within a priority, across dated and undated tickets) is crossed.
 */
describeEngines('queues, names and answers', (kind) => {
  let client: Client;
  let close: () => Promise<void>;

  const keysOf = (args: Record<string, unknown>) =>
    everyPage(
      async (cursor) => ({ data: await ok(client, 'list_tickets', { team: 'QUE', pageSize: 2, ...args, ...cursor }) }),
      (page: any) => page.tickets.map((t: any) => t.key),
    );

  beforeAll(async () => {
    const opened = await openEngineService(kind, 'queues.db');
    close = opened.close;
    client = await connectInMemory(opened.service, opened.caller);
    await ok(client, 'create_team', { name: 'Queue', identifier: 'QUE' });
    await ok(client, 'create_agent', { name: 'Priya Shah', email: 'priya@acme.example', teams: ['QUE'] });
    await ok(client, 'create_agent', { name: 'Otto', email: 'otto@acme.example', kind: 'ai', teams: ['QUE'] });
    // QUE-1 … QUE-7: priorities and due dates mixed, some undated, one resolved though overdue.
    const tickets: [string, string | undefined][] = [
      ['Low', undefined],
      ['Urgent', '2026-12-03'],
      ['Medium', '2020-01-02'],
      ['Urgent', undefined],
      ['High', '2020-01-01'],
      ['Low', '2026-12-03'],
      ['Medium', undefined],
    ];
    for (const [i, [priorityName, dueDate]] of tickets.entries()) {
      await ok(client, 'create_ticket', { title: `Queue ${i + 1}`, requestorEmail: 'q@example.com', teamId: 'QUE', priorityName, ...(dueDate && { dueDate }) });
    }
    await ok(client, 'assign_ticket', { id: 'QUE-5', assignedAgentId: 'otto@acme.example' });
    await ok(client, 'complete_ticket', { id: 'QUE-5' });
    await ok(client, 'assign_ticket', { id: 'QUE-2', assignedAgentId: 'Priya Shah' });
  });

  afterAll(async () => {
    await client.close();
    await close();
  });

  describe('list_tickets sorts', () => {
    it('priority: most urgent first, oldest first within a priority, each ticket once across pages', async () => {
      expect(await keysOf({ sort: 'priority' })).toEqual(['QUE-2', 'QUE-4', 'QUE-5', 'QUE-3', 'QUE-7', 'QUE-1', 'QUE-6']);
    });

    it('due: soonest first, ties oldest first, undated last', async () => {
      expect(await keysOf({ sort: 'due' })).toEqual(['QUE-5', 'QUE-3', 'QUE-2', 'QUE-6', 'QUE-1', 'QUE-4', 'QUE-7']);
    });

    it('created: oldest first; newest: newest first; rows carry createdAt', async () => {
      expect(await keysOf({ sort: 'created' })).toEqual(['QUE-1', 'QUE-2', 'QUE-3', 'QUE-4', 'QUE-5', 'QUE-6', 'QUE-7']);
      expect(await keysOf({ sort: 'newest' })).toEqual(['QUE-7', 'QUE-6', 'QUE-5', 'QUE-4', 'QUE-3', 'QUE-2', 'QUE-1']);
      const [row] = (await ok(client, 'list_tickets', { team: 'QUE', sort: 'created', pageSize: 1 })).tickets;
      expect(Number.isNaN(Date.parse(row.createdAt))).toBe(false);
    });

    it('overdue: due before now and still open or pending, with paging and another sort', async () => {
      const answer = await call(client, 'list_tickets', { team: 'QUE', overdue: true });
      expect(answer.data.tickets.map((t: any) => t.key)).toEqual(['QUE-3']);
      expect(answer.message).toContain('overdue');
      expect(await keysOf({ overdue: true, sort: 'due' })).toEqual(['QUE-3']);
    });

    it('refuses a cursor of one sort in another', async () => {
      const { nextCursor } = await ok(client, 'list_tickets', { team: 'QUE', sort: 'priority', pageSize: 2 });
      await fails(client, 'list_tickets', { team: 'QUE', sort: 'due', pageSize: 2, cursor: nextCursor }, 'VALIDATION_ERROR');
    });
  });

  it('counts open and pending tickets apart, per team and per agent', async () => {
    const [team] = (await ok(client, 'list_teams')).teams.filter((t: any) => t.identifier === 'QUE');
    expect(team).toMatchObject({ openTickets: 5, pendingTickets: 1 });
    const priya = (await ok(client, 'list_agents', { search: 'priya' })).agents[0];
    expect(priya).toMatchObject({ openTickets: 0, pendingTickets: 1 });
  });

  describe('agents who share a name', () => {
    it('creates a second Priya Shah and says who else has the name', async () => {
      const made = await call(client, 'create_agent', { name: 'priya shah', email: 'priya.s@acme.example', kind: 'ai', teams: ['QUE'] });
      expect(made.status).toBe(true);
      expect(made.message).toBe(
        'Agent priya shah <priya.s@acme.example> created in QUE. Priya Shah <priya@acme.example> has this name too: refer to them by email or id.',
      );
    });

    it('offers both as AMBIGUOUS candidates with their teams and active state', async () => {
      const error = await fails(client, 'assign_ticket', { id: 'QUE-1', assignedAgentId: 'Priya Shah' }, 'AMBIGUOUS');
      expect(error.candidates?.map(({ id: _id, ...c }) => c)).toEqual([
        { name: 'Priya Shah', email: 'priya@acme.example', teams: ['QUE'], active: true },
        { name: 'priya shah', email: 'priya.s@acme.example', teams: ['QUE'], active: true },
      ]);
    });

    it('lets a list filter take the start of one name, and says whom it matched; writes need the exact name', async () => {
      const byPrefix = await call(client, 'list_tickets', { assignee: 'OT' });
      expect(byPrefix.message).toBe('1 ticket (assigned to Otto <otto@acme.example>).');
      expect(byPrefix.data.tickets[0]).toMatchObject({ key: 'QUE-5', assignee: 'Otto <otto@acme.example>' });
      await fails(client, 'list_tickets', { assignee: 'pri' }, 'AMBIGUOUS');
      await fails(client, 'assign_ticket', { id: 'QUE-1', assignedAgentId: 'Ott' }, 'NOT_FOUND');
    });

    it('shows members as Name <email> in list_teams, deactivated ones marked', async () => {
      await ok(client, 'update_agent', { id: 'priya.s@acme.example', active: false });
      const [team] = (await ok(client, 'list_teams')).teams.filter((t: any) => t.identifier === 'QUE');
      expect(team.members).toEqual(['Otto <otto@acme.example>', 'Priya Shah <priya@acme.example>', 'priya shah <priya.s@acme.example> (inactive)']);
    });
  });

  describe('answers', () => {
    it('answer a change with the fields that have a value, no lookup ids, and say what changed', async () => {
      const answer = await call(client, 'assign_ticket', { id: 'QUE-6', assignedAgentId: 'otto@acme.example' });
      expect(answer.message).toBe('Ticket QUE-6: assigned nobody → Otto <otto@acme.example>; status open → pending.');
      const values = Object.values(answer.data);
      expect(values).not.toContain(null);
      for (const value of values) if (typeof value === 'object') expect(Object.keys(value as object).length).toBeGreaterThan(0);
      for (const id of ['statusId', 'priorityId', 'sentimentId', 'typeId', 'customerContactId', 'assignedAgentId', 'teamId', 'createdById']) {
        expect(answer.data).not.toHaveProperty(id);
      }
      expect(answer.data).toMatchObject({ ticketIdentifier: 'QUE-6', status: 'pending', assignedAgent: 'Otto', version: 2 });
      const full = await ok(client, 'set_ticket_status', { id: 'QUE-6', status: 'open', detail: 'full' });
      expect(full).toMatchObject({ statusId: expect.any(String), priorityId: expect.any(String), description: null, tags: [] });
    });

    it('say old → new for edits, dates as days or minutes in UTC', async () => {
      const answer = await call(client, 'update_ticket', { id: 'QUE-2', priorityName: 'High', dueDate: '2026-12-04T09:30:00Z' });
      expect(answer.message).toBe('Ticket QUE-2: priority Urgent → High; due 2026-12-03 → 2026-12-04 09:30 UTC.');
    });

    it('add_comment answers the comment and the ticket key, status and version only', async () => {
      const data = await ok(client, 'add_comment', { id: 'QUE-2', body: 'Looking into it.', internal: true });
      expect(data).toEqual({
        comment: { id: expect.any(String), author: 'Assistant', body: 'Looking into it.', internal: true, createdAt: expect.any(String) },
        ticket: { ticketIdentifier: 'QUE-2', status: 'pending', version: 4 },
      });
    });

    it('a failure says its sentence once: in message, not again in error', async () => {
      const answer = await call(client, 'get_ticket', { id: 'QUE-999' });
      expect(answer.message).toBe('No ticket "QUE-999" in this workspace.');
      expect(Object.keys(answer.error!)).toEqual(['code', 'hint']);
    });
  });
});
