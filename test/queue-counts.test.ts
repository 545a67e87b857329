import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Caller } from '../src/service/context.js';
import type { ListTicketsInput } from '../src/service/list.js';
import type { TicketService } from '../src/service/service.js';
import { describeEngines, openEngineService } from './engines.js';

/**
 * The console's queue counts are exact: each equals the number of tickets list_tickets
 * finds for that queue's own filter, on a workspace mixing teams, statuses, assignees,
 * due dates and deleted tickets, and again after moves, deletes and restores.
 */
describeEngines('console queue counts', (kind) => {
  let service: TicketService;
  let me: Caller;
  let close: () => Promise<void>;
  const ids: string[] = [];

  /** How many tickets list_tickets finds for `filter` (every fixture fits one page). */
  const listed = async (filter: ListTicketsInput) => (await service.listTickets(me, { ...filter, pageSize: 100 })).data.tickets.length;

  async function expectCountsMatchLists(): Promise<void> {
    const counts = await service.queueCounts(me);
    const live = ['open', 'pending'];
    expect({
      unassigned: counts.unassigned,
      mine: counts.mine,
      open: counts.open,
      pending: counts.pending,
      overdue: counts.overdue,
    }).toEqual({
      unassigned: await listed({ status: live, assignee: 'none' }),
      mine: await listed({ status: live, assignee: 'me' }),
      open: await listed({ status: 'open' }),
      pending: await listed({ status: 'pending' }),
      overdue: await listed({ overdue: true }),
    });
    const teams = (await service.teamChoices(me)).map((t) => [t.identifier, counts.teams.get(t.id) ?? 0]);
    const expected = await Promise.all(teams.map(async ([identifier]) => [identifier, await listed({ status: live, team: identifier as string })]));
    expect(teams).toEqual(expected);
  }

  beforeAll(async () => {
    ({ service, caller: me, close } = await openEngineService(kind, 'queue-counts.db'));
    for (const identifier of ['ENG', 'OPS']) await service.createTeam(me, { name: identifier, identifier });
    await service.createAgent(me, { name: 'Other Agent', email: 'other@example.com' });
    const dues = ['2020-01-01T00:00:00.000Z', '2099-03-01T00:00:00.000Z', undefined, '2099-02-01T00:00:00.000Z'];
    for (let i = 0; i < 36; i++) {
      const due = dues[i % 4];
      const { data } = await service.createTicket(me, {
        title: `Counted ${i}`,
        requestorEmail: 'c@example.com',
        teamId: ['SUP', 'ENG', 'OPS'][i % 3],
        ...(due && { dueDate: due }),
      });
      ids.push(data.id);
      if (i % 5 === 1) await service.assignTicket(me, { id: data.id, assignedAgentId: me.agentId });
      if (i % 5 === 2) await service.assignTicket(me, { id: data.id, assignedAgentId: 'other@example.com' });
      if (i % 6 === 3) await service.setTicketStatus(me, { id: data.id, status: 'pending' });
      if (i % 7 === 4) await service.completeTicket(me, { id: data.id });
      if (i % 8 === 5) await service.deleteTicket(me, { id: data.id, confirm: true });
    }
  });

  afterAll(async () => close());

  it('each count equals what list_tickets finds for its queue, deleted and finished tickets left out', async () => {
    const counts = await service.queueCounts(me);
    expect(counts.open + counts.pending).toBeGreaterThan(10);
    expect(counts.unassigned).toBeGreaterThan(0);
    expect(counts.mine).toBeGreaterThan(0);
    expect(counts.overdue).toBeGreaterThan(0);
    expect(counts.nextDueAt).toBe('2099-02-01T00:00:00.000Z');
    await expectCountsMatchLists();
  });

  it('stay exact after moves, assignments, deletes and restores', async () => {
    await service.updateTicket(me, { id: ids[0]!, teamId: 'OPS' });
    await service.assignTicket(me, { id: ids[6]!, assignedAgentId: me.agentId });
    await service.deleteTicket(me, { id: ids[7]!, confirm: true });
    await service.restoreTicket(me, { id: ids[5]! });
    await service.completeTicket(me, { id: ids[9]! });
    await expectCountsMatchLists();
  });
});
