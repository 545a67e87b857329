import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shownValue } from '../src/service/change-message.js';
import type { Caller } from '../src/service/context.js';
import type { TicketService } from '../src/service/service.js';
import { describeEngines, openEngineService } from './engines.js';
import { call, connectInMemory, fails, ok } from './helpers.js';

/**
 * The work queue through real SDK clients, one per agent: claim order and filters, an
 * empty queue, blocked tickets, leases (renewed, lapsed, swept by a claim, takeover,
 * assignment or release), release.
 */
describeEngines('the work queue', (kind) => {
  let service: TicketService;
  let caller: Caller;
  let close: () => Promise<void>;
  let lead: Client;
  const clients: Client[] = [];

  /** A client acting as a new agent of `team`. */
  async function agent(name: string, teams: string[]): Promise<{ client: Client; id: string }> {
    const { id } = await ok(lead, 'create_agent', { name, email: `${name.toLowerCase()}@example.com`, teams });
    const client = await connectInMemory(service, { workspaceId: caller.workspaceId, agentId: id });
    clients.push(client);
    return { client, id };
  }

  const create = (team: string, title: string, extra: Record<string, unknown> = {}) =>
    ok(lead, 'create_ticket', { title, requestorEmail: 'queue@example.com', teamId: team, ...extra });
  const history = async (id: string) => (await ok(lead, 'get_ticket_history', { id })).events as { type: string; actor: string; details: any }[];
  /** Moves a lease's end, as the clock passing it would. */
  const leaseEndsAt = (id: string, at: string) =>
    service.engine.write((db) => db.updateTable('tickets').set({ lease_expires_at: at }).where('id', '=', id).execute());
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  /** A lease end already past, whenever the test runs. */
  const lapsedAt = '2001-02-03T04:05:06.000Z';

  beforeAll(async () => {
    ({ service, caller, close } = await openEngineService(kind));
    lead = await connectInMemory(service, caller);
  });

  afterAll(async () => {
    await Promise.all([lead, ...clients].map((c) => c.close()));
    await close();
  });

  it('claims Urgent first, then overdue and soonest due, undated last, then oldest; then says the queue is empty', async () => {
    await ok(lead, 'create_team', { name: 'Ordering', identifier: 'ORD' });
    const { client: otto } = await agent('Otto', ['ORD']);
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    const later = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const made = [
      await create('ORD', 'low old', { priorityName: 'Low' }),
      await create('ORD', 'medium undated A'),
      await create('ORD', 'urgent undated', { priorityName: 'Urgent' }),
      await create('ORD', 'medium undated B'),
      await create('ORD', 'urgent due later', { priorityName: 'Urgent', dueDate: later }),
      await create('ORD', 'urgent overdue', { priorityName: 'Urgent', dueDate: past }),
      await create('ORD', 'high due soon', { priorityName: 'High', dueDate: soon }),
      await create('ORD', 'medium due soon', { dueDate: soon }),
    ];
    const claimed: string[] = [];
    for (let i = 0; i < made.length; i++) {
      const answer = await call(otto, 'claim_next_ticket');
      expect(answer.status).toBe(true);
      expect(answer.data).toMatchObject({ assignedAgent: 'Otto', status: 'pending', circumstance: 'takeover' });
    expect(answer.data).not.toHaveProperty('leaseExpiresAt');
      expect(answer.message).toContain(`Claimed ${answer.data.ticketIdentifier} (${answer.data.priority}`);
      expect(answer.message).toContain('open → pending');
      claimed.push(answer.data.title);
    }
    expect(claimed).toEqual([
      'urgent overdue',
      'urgent due later',
      'urgent undated',
      'high due soon',
      'medium due soon',
      'medium undated A',
      'medium undated B',
      'low old',
    ]);
    const empty = await call(otto, 'claim_next_ticket', { priority: 'urgent', tag: 'nothing-has-this' });
    expect(empty.status).toBe(false);
    expect(empty.error!.code).toBe('NOT_FOUND');
    const none = await call(otto, 'claim_next_ticket');
    expect(none).toMatchObject({ status: true, data: null });
    expect(none.message).toBe('No ticket is waiting in your team ORD; nothing was claimed.');
    const events = await history(made[5]!.id);
    expect(events.map((e) => e.type)).toEqual(['created', 'assignment_changed', 'status_changed']);
    expect(events[1]!.details).toMatchObject({ from: null, to: { name: 'Otto' }, circumstance: 'takeover', claimed: true });
  });

  it('takes from the given team, tag or priority, and unassigned pending tickets too', async () => {
    await ok(lead, 'create_team', { name: 'Filters', identifier: 'FIL' });
    await ok(lead, 'create_team', { name: 'Other', identifier: 'OTH' });
    const { client: fay } = await agent('Fay', ['FIL']);
    const other = await create('OTH', 'other team', { priorityName: 'Urgent' });
    const tagged = await create('FIL', 'tagged low', { priorityName: 'Low' });
    await ok(lead, 'add_tag', { ticketId: tagged.id, tagId: 'vip' });
    const high = await create('FIL', 'plain high', { priorityName: 'High' });
    // Pending and unassigned: someone dropped it without release.
    const dropped = await create('FIL', 'dropped', { priorityName: 'Medium', assignedAgentId: 'Fay' });
    await ok(lead, 'assign_ticket', { id: dropped.id, assignedAgentId: null });

    expect((await ok(fay, 'claim_next_ticket', { tag: 'VIP' })).title).toBe('tagged low');
    expect((await ok(fay, 'claim_next_ticket', { priority: 'medium' })).title).toBe('dropped');
    const none = await call(fay, 'claim_next_ticket', { priority: 'Urgent' });
    expect(none).toMatchObject({ status: true, data: null, message: 'No ticket is waiting in your team FIL, priority Urgent; nothing was claimed.' });
    expect((await ok(fay, 'claim_next_ticket', { team: 'oth' })).id).toBe(other.id);
    expect((await ok(fay, 'claim_next_ticket')).id).toBe(high.id);
    await fails(fay, 'claim_next_ticket', { team: 'NOPE' }, 'NOT_FOUND');
    const tooShort = await fails(fay, 'claim_next_ticket', { leaseSeconds: 5 }, 'VALIDATION_ERROR');
    expect(tooShort.message).toContain('leaseSeconds');
  });

  it('skips a ticket blocked by an unresolved one, and offers it once the blocker is resolved', async () => {
    await ok(lead, 'create_team', { name: 'Blocked', identifier: 'BLK' });
    const { client: bo } = await agent('Bo', ['BLK']);
    const blocker = await create('BLK', 'blocker', { priorityName: 'Low', assignedAgentId: 'Bo', statusName: 'pending' });
    const blocked = await create('BLK', 'blocked urgent', { priorityName: 'Urgent' });
    const free = await create('BLK', 'free low', { priorityName: 'Low' });
    await ok(lead, 'link_tickets', { id: blocker.id, relatedId: blocked.ticketIdentifier, type: 'blocks' });
    expect((await ok(bo, 'claim_next_ticket')).id).toBe(free.id);
    expect(await ok(bo, 'claim_next_ticket')).toBeNull();
    await ok(bo, 'complete_ticket', { id: blocker.id });
    expect((await ok(bo, 'claim_next_ticket')).id).toBe(blocked.id);
  });

  it('renews a lease on the holder’s changes only, and puts a lapsed ticket back in the queue with a lease_expired event', async () => {
    await ok(lead, 'create_team', { name: 'Leases', identifier: 'LSE' });
    const { client: lea } = await agent('Lea', ['LSE']);
    const { client: max } = await agent('Max', ['LSE']);
    const ticket = await create('LSE', 'leased', { priorityName: 'High' });
    const claim = await call(lea, 'claim_next_ticket', { leaseSeconds: 600 });
    expect(claim.data.leaseExpiresAt > inSeconds(590)).toBe(true);
    expect(claim.message).toContain(`; lease until ${claim.data.leaseExpiresAt}`);

    // Near its end: someone else's change leaves it, the holder's renews it for the same 600 s.
    const nearEnd = inSeconds(20);
    await leaseEndsAt(ticket.id, nearEnd);
    await ok(max, 'add_comment', { id: ticket.id, body: 'any news?' });
    expect((await ok(lead, 'get_ticket', { id: ticket.id })).leaseExpiresAt).toBe(nearEnd);
    await ok(lea, 'add_comment', { id: ticket.id, body: 'still on it' });
    const renewed = await ok(lead, 'get_ticket', { id: ticket.id });
    expect(renewed.leaseExpiresAt > inSeconds(590)).toBe(true);
    expect(renewed.leaseLapsed).toBeUndefined();

    // Lapsed: it reads so before anyone records it, and the next claim takes it.
    await leaseEndsAt(ticket.id, inSeconds(-1));
    expect(await ok(lead, 'get_ticket', { id: ticket.id })).toMatchObject({ assignedAgent: 'Lea', leaseLapsed: true });
    const taken = await ok(max, 'claim_next_ticket');
    expect(taken).toMatchObject({ id: ticket.id, assignedAgent: 'Max', status: 'pending' });
    expect(taken).not.toHaveProperty('leaseExpiresAt');
    expect(taken.leaseLapsed).toBeUndefined();
    const events = await history(ticket.id);
    const lapse = events.findIndex((e) => e.type === 'lease_expired');
    expect(events.slice(lapse).map((e) => [e.type, e.actor])).toEqual([
      ['lease_expired', 'Lea'],
      ['status_changed', 'Lea'],
      ['assignment_changed', 'Max'],
      ['status_changed', 'Max'],
    ]);
    expect(events[lapse]!.details).toMatchObject({ assignee: { name: 'Lea' } });
    expect(events[lapse + 1]!.details).toEqual({ from: 'pending', to: 'open' });
    expect(events[lapse + 2]!.details).toMatchObject({ from: null, to: { name: 'Max' } });
  });

  it('lets takeover take a lapsed ticket without force, and refuses a live one', async () => {
    await ok(lead, 'create_team', { name: 'Takeover', identifier: 'TKO' });
    const { client: tia } = await agent('Tia', ['TKO']);
    const { client: uma } = await agent('Uma', ['TKO']);
    const ticket = await create('TKO', 'held');
    await ok(tia, 'claim_next_ticket', { leaseSeconds: 60 });
    const refused = await fails(uma, 'takeover', { id: ticket.id }, 'CONFLICT');
    expect(refused.details).toMatchObject({ holder: { name: 'Tia' } });
    await leaseEndsAt(ticket.id, lapsedAt);
    const taken = await call(uma, 'takeover', { id: ticket.ticketIdentifier });
    expect(taken.data).toMatchObject({ assignedAgent: 'Uma', status: 'pending' });
    expect(taken.data).not.toHaveProperty('leaseExpiresAt');
    expect((await history(ticket.id)).map((e) => e.type).slice(-4)).toEqual(['lease_expired', 'status_changed', 'assignment_changed', 'status_changed']);
    expect(taken.message).toBe(
      `Ticket ${ticket.ticketIdentifier}: assigned nobody → Uma <uma@example.com>; status open → pending. ` +
        `The lease of Tia <tia@example.com> had lapsed (${shownValue(lapsedAt)}), which put it back in the queue first.`,
    );
  });

  it('records a lapsed lease when someone else releases the ticket or is given it, and says whose it was', async () => {
    await ok(lead, 'create_team', { name: 'Lapses', identifier: 'LAP' });
    const { client: ivy } = await agent('Ivy', ['LAP']);
    const { client: jon } = await agent('Jon', ['LAP']);
    const first = await create('LAP', 'released after its lease');
    await ok(ivy, 'claim_next_ticket', { leaseSeconds: 60 });
    await leaseEndsAt(first.id, lapsedAt);
    const released = await call(jon, 'release_ticket', { id: first.id });
    expect(released.data).toMatchObject({ status: 'open' });
    expect(released.data).not.toHaveProperty('assignedAgent');
    expect(released.message).toBe(
      `Released ${first.ticketIdentifier} back to the queue: unassigned (pending → open). ` +
        `The lease of Ivy <ivy@example.com> had lapsed (${shownValue(lapsedAt)}), which put it back in the queue first.`,
    );
    const afterRelease = await history(first.id);
    expect(afterRelease.slice(-2).map((e) => [e.type, e.actor])).toEqual([['lease_expired', 'Ivy'], ['status_changed', 'Ivy']]);
    expect(afterRelease.at(-2)!.details).toMatchObject({ assignee: { name: 'Ivy' }, expiredAt: lapsedAt });

    const second = await create('LAP', 'given away after its lease', { priorityName: 'Urgent' });
    await ok(ivy, 'claim_next_ticket', { leaseSeconds: 60 });
    await leaseEndsAt(second.id, lapsedAt);
    const given = await call(jon, 'assign_ticket', { id: second.id, assignedAgentId: 'Jon' });
    expect(given.message).toContain(`assigned nobody → Jon <jon@example.com>; status open → pending. The lease of Ivy <ivy@example.com> had lapsed`);
    expect((await history(second.id)).slice(-4).map((e) => e.type)).toEqual(['lease_expired', 'status_changed', 'assignment_changed', 'status_changed']);
  });

  it('releases a ticket to the queue: its holder, or anyone with force', async () => {
    await ok(lead, 'create_team', { name: 'Release', identifier: 'REL' });
    const { client: rae } = await agent('Rae', ['REL']);
    const { client: sol } = await agent('Sol', ['REL']);
    const ticket = await create('REL', 'to release');
    await ok(rae, 'claim_next_ticket', { leaseSeconds: 300 });
    const refused = await fails(sol, 'release_ticket', { id: ticket.id }, 'CONFLICT');
    expect(refused.details).toMatchObject({ holder: { name: 'Rae' } });
    const released = await call(rae, 'release_ticket', { id: ticket.id });
    expect(released.data).toMatchObject({ status: 'open' });
    for (const field of ['assignedAgent', 'leaseExpiresAt', 'circumstance']) expect(released.data).not.toHaveProperty(field);
    expect(released.message).toBe(`Released ${ticket.ticketIdentifier} back to the queue: unassigned (pending → open).`);
    expect((await call(rae, 'release_ticket', { id: ticket.id })).message).toContain('not held by anyone; nothing changed');
    const again = await ok(sol, 'claim_next_ticket');
    expect(again.id).toBe(ticket.id);
    const forced = await ok(rae, 'release_ticket', { id: ticket.id, force: true });
    expect(forced).toMatchObject({ status: 'open' });
    expect(forced).not.toHaveProperty('assignedAgent');
    const last = (await history(ticket.id)).filter((e) => e.type === 'assignment_changed').at(-1)!;
    expect(last.details).toMatchObject({ from: { name: 'Sol' }, to: null, released: true, forced: true });
  });
});
