import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.js';
import type { Caller } from '../src/service/context.js';
import { STATUS_NAMES, TRANSITIONS, type StatusName } from '../src/domain/lifecycle.js';
import type { TicketService } from '../src/service/service.js';
import { describeEngines, openEngineService } from './engines.js';
import { everyPage } from './helpers.js';

/** The service on a real database of each engine: every rule of the domain, without MCP in between. */
let service: TicketService;
let close: () => Promise<void>;
let me: Caller;
let priya: string;
let omar: string;
let lee: string;

async function refused(promise: Promise<unknown>, code: string): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

const events = async (ticketId: string) =>
  (await service.engine.reader.selectFrom('events').select(['type', 'actor_id', 'data']).where('ticket_id', '=', ticketId).orderBy('seq').execute())
    .map((e) => ({ type: e.type, actor: e.actor_id, data: JSON.parse(e.data) }));

const eventTypes = async (ticketId: string) => (await events(ticketId)).map((e) => e.type);

async function newTicket(extra: Record<string, unknown> = {}) {
  const { data } = await service.createTicket(me, { title: 'Printer on fire', requestorEmail: 'jo@example.com', ...extra });
  return data;
}

/** A ticket brought to `status` through the allowed moves. */
async function ticketIn(status: StatusName) {
  const t = await newTicket();
  if (status === 'open') return t;
  await service.setTicketStatus(me, { id: t.id, status: 'pending' });
  if (status === 'pending') return (await service.getTicket(me, { id: t.id })).data;
  await service.setTicketStatus(me, { id: t.id, status: 'resolved' });
  if (status === 'resolved') return (await service.getTicket(me, { id: t.id })).data;
  await service.setTicketStatus(me, { id: t.id, status: 'closed' });
  return (await service.getTicket(me, { id: t.id })).data;
}

describeEngines('the ticket service', (kind) => {
  beforeAll(async () => {
    ({ service, caller: me, close } = await openEngineService(kind));
    await service.createTeam(me, { name: 'Engineering', identifier: 'eng' });
    priya = (await service.createAgent(me, { name: 'Priya Shah', email: 'priya@example.com', teams: ['SUP'] })).data.id;
    omar = (await service.createAgent(me, { name: 'Omar Haddad', email: 'omar@example.com', teams: ['SUP', 'ENG'] })).data.id;
    lee = (await service.createAgent(me, { name: 'Lee', email: 'lee1@example.com', kind: 'ai' })).data.id;
    await service.createAgent(me, { name: 'lee', email: 'lee2@example.com' });
  });

  afterAll(async () => {
    await close();
  });

  /** Every optional field of create_ticket that Thena has, each set. */
  const EVERY_FIELD = {
    description: 'Smoke',
    accountId: 'Acme Corp',
    assignedAgentEmail: 'PRIYA@example.com',
    dueDate: '2026-12-01',
    submitterEmail: 'boss@example.com',
    priorityName: 'urgent',
    sentimentId: 'Negative',
    typeId: 'Incident',
    metadata: { orderId: 'A-1' },
    isPrivate: true,
    source: 'email',
    aiGeneratedTitle: 'Fire',
    aiGeneratedSummary: 'A fire',
    attachmentUrls: ['https://example.com/a.png'],
    customFieldValues: [{ customFieldId: 'plan', data: 'pro' }],
    formId: 'F1',
  };

  describe('create_ticket', () => {
    it('numbers tickets per team and starts them open, unassigned, in SUP by default', async () => {
      const first = await newTicket();
      const second = await newTicket();
      const eng = await newTicket({ teamId: 'Engineering' });
      expect(second.ticketId).toBe(first.ticketId + 1);
      expect(second.ticketIdentifier).toBe(`SUP-${second.ticketId}`);
      expect(eng.ticketIdentifier).toMatch(/^ENG-\d+$/);
      expect(first).toMatchObject({
        status: 'open',
        nextStatuses: ['pending'],
        teamIdentifier: 'SUP',
        teamName: 'Support',
        priority: 'Medium',
        sentiment: 'Neutral',
        assignedAgentId: null,
        requestorEmail: 'jo@example.com',
        version: 1,
        source: 'mcp',
      });
      expect((await eventTypes(first.id))).toEqual(['created']);
      expect((await events(first.id))[0]!.actor).toBe(me.agentId);
    });

    it('creates the contact once and fills in a name it learns later', async () => {
      const a = await newTicket({ requestorEmail: 'New.Person@example.com' });
      const b = await newTicket({ requestorEmail: 'new.person@example.com', requestorFirstName: 'Ana' });
      expect(b.customerContactId).toBe(a.customerContactId);
      expect(b.customerContactFirstName).toBe('Ana');
    });

    it('takes every Thena field and stores it', async () => {
      const t = await newTicket(EVERY_FIELD);
      expect(t).toMatchObject({
        description: 'Smoke',
        account: 'Acme Corp',
        assignedAgentId: priya,
        assignedAgentEmail: 'priya@example.com',
        circumstance: 'handover',
        status: 'open',
        dueDate: '2026-12-01T00:00:00.000Z',
        submitterEmail: 'boss@example.com',
        priority: 'Urgent',
        sentiment: 'Negative',
        type: 'Incident',
        metadata: { orderId: 'A-1' },
        isPrivate: true,
        source: 'email',
        aiGeneratedTitle: 'Fire',
        aiGeneratedSummary: 'A fire',
        attachmentUrls: ['https://example.com/a.png'],
        customFieldValues: [{ customFieldId: 'plan', data: 'pro' }],
        formId: 'F1',
      });
      expect((await eventTypes(t.id))).toEqual(['created', 'assignment_changed']);
      const again = await newTicket({ accountId: 'acme corp' });
      expect(again.accountId).toBe(t.accountId);
    });

    it('answers with the ticket exactly as get_ticket then shows it', async () => {
      // create_ticket builds its answer from what it wrote instead of reading the ticket back.
      const creates: Record<string, unknown>[] = [
        {},
        { requestorEmail: 'Fresh.Contact@example.com', requestorFirstName: 'Fay', requestorLastName: 'Ng' },
        { requestorEmail: 'fresh.contact@example.com', requestorFirstName: 'Not Fay' },
        { requestorEmail: 'nameless@example.com' },
        { requestorEmail: 'NAMELESS@example.com', requestorLastName: 'Later' },
        { accountId: 'Globex Answers', teamId: 'Engineering', performRouting: true },
        { accountId: 'globex answers', assignedAgentId: omar, statusName: 'pending', chatId: 'chat-answer-1' },
        { ...EVERY_FIELD, metadata: { orderId: 'A-1', nested: { list: [1, 2] } }, idempotencyKey: 'answer-as-read-1' },
      ];
      const asShown = async (id: string) => {
        const { comments, commentCount, links, ...shown } = (await service.getTicket(me, { id })).data;
        expect(comments).toEqual([]);
        expect(links).toEqual([]);
        expect(commentCount).toBe(0);
        return shown;
      };
      for (const extra of creates) {
        const created = await newTicket(extra);
        expect(created).toStrictEqual(await asShown(created.id));
      }
      // References in their other forms: an account and a team by id, a status by id, routing that finds no one.
      const first = await newTicket({ accountId: 'Initech Answers', requestorEmail: 'named@example.com', requestorFirstName: 'Ann', requestorLastName: 'Lee' });
      const empty = (await service.createTeam(me, { name: 'Nobody Home', identifier: 'NOBODY' })).data;
      const pendingId = (await ticketIn('pending')).statusId;
      for (const extra of [
        { accountId: first.accountId, teamId: empty.id, performRouting: true },
        { statusId: pendingId, assignedAgentId: priya, requestorEmail: 'named@example.com', requestorFirstName: 'Bo', requestorLastName: 'Ma' },
      ]) {
        const created = await newTicket(extra);
        expect(created).toStrictEqual(await asShown(created.id));
      }
      // A replay answers the first answer, which is still the ticket as it stands.
      const replayed = await newTicket(creates.at(-1));
      expect(replayed).toStrictEqual(await asShown(replayed.id));
    });

    it('starts pending only with an assignee, and never resolved or closed', async () => {
      const t = await newTicket({ statusName: 'In Progress', assignedAgentId: 'Priya Shah' });
      expect(t.status).toBe('pending');
      expect(t.ongoingAt).toBe(t.createdAt);
      await refused(newTicket({ statusName: 'pending' }), 'VALIDATION_ERROR');
      await refused(newTicket({ statusName: 'done' }), 'VALIDATION_ERROR');
      await refused(newTicket({ statusName: 'open', statusId: t.statusId }), 'VALIDATION_ERROR');
    });

    it('refuses unknown references with the way forward', async () => {
      const team = await refused(newTicket({ teamId: 'NOPE' }), 'NOT_FOUND');
      expect(team.extras.candidates?.map((c) => c.name)).toContain('SUP (Support)');
      await refused(newTicket({ assignedAgentId: 'nobody@example.com' }), 'NOT_FOUND');
      const priority = await refused(newTicket({ priorityName: 'Critical' }), 'VALIDATION_ERROR');
      expect(priority.message).toContain('Low, Medium, High, Urgent');
      await refused(newTicket({ assignedAgentId: priya, assignedAgentEmail: 'omar@example.com' }), 'VALIDATION_ERROR');
    });

    it('routes to the least-loaded active team member, ties broken by name', async () => {
      await service.createTeam(me, { name: 'Routing', identifier: 'RT', members: ['priya@example.com', 'omar@example.com'] });
      // Earlier tests gave Priya tickets; Omar has fewer (or as many, and his name sorts first).
      const load = async (id: string) => {
        const agent = (await service.listAgents(me, { pageSize: 100 })).data.agents.find((a) => a.id === id)!;
        return agent.openTickets + agent.pendingTickets;
      };
      const [p, o] = [await load(priya), await load(omar)];
      const routed = await newTicket({ teamId: 'RT', performRouting: true });
      const expected = p < o ? priya : omar;
      expect(routed.assignedAgentId).toBe(expected);
      expect((await events(routed.id))[1]).toMatchObject({ type: 'assignment_changed', data: { routed: true, circumstance: 'handover' } });

      await service.createTeam(me, { name: 'Empty', identifier: 'EMPTY' });
      const unrouted = await service.createTicket(me, { title: 'x', requestorEmail: 'jo@example.com', teamId: 'EMPTY', performRouting: true });
      expect(unrouted.data.assignedAgentId).toBeNull();
      expect(unrouted.message).toContain('no active agent');
    });

    it('routing skips deactivated agents and balances load', async () => {
      // An AI, as the caller is: an AI agent may not deactivate a human (test/directory.test.ts).
      await service.createAgent(me, { name: 'Ann', email: 'ann@example.com', kind: 'ai' });
      await service.createAgent(me, { name: 'Bob', email: 'bob@example.com' });
      await service.createTeam(me, { name: 'Balance', identifier: 'BAL', members: ['ann@example.com', 'bob@example.com'] });
      const assignees = [];
      for (let i = 0; i < 4; i++) assignees.push((await newTicket({ teamId: 'BAL', performRouting: true })).assignedAgent);
      expect(assignees).toEqual(['Ann', 'Bob', 'Ann', 'Bob']);
      await service.updateAgent(me, { id: 'ann@example.com', active: false });
      expect((await newTicket({ teamId: 'BAL', performRouting: true })).assignedAgent).toBe('Bob');
      await refused(newTicket({ assignedAgentId: 'ann@example.com' }), 'VALIDATION_ERROR');
    });

    it('replays a key for the same request however it is spelled, and says when the ticket has moved on', async () => {
      const first = await service.createTicket(me, {
        title: 'Spelled twice',
        requestorEmail: 'Case@Example.com',
        teamId: 'SUP',
        priorityName: 'High',
        assignedAgentEmail: 'priya@example.com',
        idempotencyKey: 'spelled-1',
      });
      const respelled = await service.createTicket(me, {
        idempotencyKey: 'spelled-1',
        assignedAgentId: 'Priya Shah',
        priorityName: 'high',
        teamId: 'support',
        requestorEmail: 'case@example.com',
        title: 'Spelled twice',
      });
      expect(respelled.data).toEqual(first.data);
      await service.takeover(me, { id: first.data.id, force: true });
      const later = await service.createTicket(me, {
        title: 'Spelled twice',
        requestorEmail: 'case@example.com',
        priorityId: first.data.priorityId,
        assignedAgentId: priya,
        idempotencyKey: 'spelled-1',
      });
      expect(later.data.version).toBe(1);
      expect(later.message).toContain('now version 2');
    });

    it('replays an idempotency key with the first answer, and refuses it for a different request', async () => {
      const args = { title: 'Refund', requestorEmail: 'jo@example.com', idempotencyKey: 'req-1' };
      const first = await service.createTicket(me, args);
      const replay = await service.createTicket(me, { ...args });
      expect(replay.data).toEqual(first.data);
      expect(replay.message).toContain('original answer');
      const count = await service.engine.reader
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('title', '=', 'Refund')
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
      const clash = await refused(service.createTicket(me, { ...args, title: 'Other' }), 'CONFLICT');
      expect(clash.extras.details).toEqual({ ticket: first.data.ticketIdentifier });
    });

    it('allows one ticket per chat until it is closed or deleted', async () => {
      const first = await newTicket({ chatId: 'chat-9' });
      const clash = await refused(newTicket({ chatId: 'chat-9' }), 'CONFLICT');
      expect(clash.extras.details).toEqual({ ticket: first.ticketIdentifier });
      await service.setTicketStatus(me, { id: first.id, status: 'pending' });
      await service.setTicketStatus(me, { id: first.id, status: 'resolved' });
      await refused(newTicket({ chatId: 'chat-9' }), 'CONFLICT');
      await service.setTicketStatus(me, { id: first.id, status: 'closed' });
      const second = await newTicket({ chatId: 'chat-9' });
      await service.deleteTicket(me, { id: second.id, confirm: true });
      const third = await newTicket({ chatId: 'chat-9' });
      expect(third.chatId).toBe('chat-9');
    });
  });

  describe('lifecycle', () => {
    const allowed = new Set(TRANSITIONS.map(([from, to]) => `${from}>${to}`));

    for (const from of STATUS_NAMES) {
      for (const to of STATUS_NAMES) {
        if (from === to) continue;
        const legal = allowed.has(`${from}>${to}`);
        it(`${from} → ${to} is ${legal ? 'allowed' : 'refused'}`, async () => {
          const t = await ticketIn(from);
          const before = (await events(t.id)).length;
          if (legal) {
            const { data } = await service.setTicketStatus(me, { id: t.id, status: to });
            expect(data.status).toBe(to);
            expect(data.version).toBe(t.version + 1);
            expect((await events(t.id)).at(-1)).toMatchObject({ type: 'status_changed', data: { from, to } });
          } else {
            const error = await refused(service.setTicketStatus(me, { id: t.id, status: to }), 'INVALID_TRANSITION');
            expect(error.extras.details).toMatchObject({ currentStatus: from });
            expect(error.extras.details?.allowedStatuses).toEqual(
              TRANSITIONS.filter(([f]) => f === from).map(([, t2]) => t2).sort((a, b) => STATUS_NAMES.indexOf(a) - STATUS_NAMES.indexOf(b)),
            );
            expect((await events(t.id))).toHaveLength(before);
            expect((await service.getTicket(me, { id: t.id })).data.version).toBe(t.version);
          }
        });
      }
    }

    it('accepts aliases and status ids, and sets the lifecycle timestamps', async () => {
      const t = await newTicket();
      const pending = (await service.setTicketStatus(me, { id: t.ticketIdentifier.toLowerCase(), status: 'Ongoing' })).data;
      expect(pending.ongoingAt).not.toBeNull();
      const resolved = (await service.setTicketStatus(me, { id: t.id, status: 'DONE' })).data;
      expect(resolved).toMatchObject({ status: 'resolved', completedById: me.agentId });
      expect(resolved.completedAt).not.toBeNull();
      const reopened = (await service.setTicketStatus(me, { id: t.id, status: 'open' })).data;
      expect(reopened).toMatchObject({ status: 'open', completedAt: null, completedById: null });
      const byId = (await service.setTicketStatus(me, { id: t.id, status: pending.statusId })).data;
      expect(byId.status).toBe('pending');
      await refused(service.setTicketStatus(me, { id: t.id, status: 'frozen' }), 'VALIDATION_ERROR');
    });

    it('setting the current status changes nothing, but keeps a comment', async () => {
      const t = await newTicket();
      const same = await service.setTicketStatus(me, { id: t.id, status: 'open' });
      expect(same.data.version).toBe(1);
      expect(same.message).toContain('already open');
      const noted = await service.setTicketStatus(me, { id: t.id, status: 'open', comment: 'Still waiting' });
      expect(noted.data.version).toBe(2);
      expect((await eventTypes(t.id))).toEqual(['created', 'comment_added']);
    });

    it('a closed ticket is final for every change', async () => {
      const t = await ticketIn('closed');
      expect(t.closedAt).not.toBeNull();
      expect(t.nextStatuses).toEqual([]);
      await refused(service.assignTicket(me, { id: t.id, assignedAgentId: priya }), 'INVALID_TRANSITION');
      await refused(service.takeover(me, { id: t.id }), 'INVALID_TRANSITION');
      await refused(service.completeTicket(me, { id: t.id }), 'INVALID_TRANSITION');
      await refused(service.updateTicket(me, { id: t.id, title: 'x' }), 'INVALID_TRANSITION');
      await refused(service.addComment(me, { id: t.id, body: 'x' }), 'INVALID_TRANSITION');
      await refused(service.addTag(me, { ticketId: t.id, tagId: 'late' }), 'INVALID_TRANSITION');
      await refused(service.removeTag(me, { ticketId: t.id, tagId: 'late' }), 'INVALID_TRANSITION');
      await refused(service.setTicketStatus(me, { id: t.id, status: 'closed', comment: 'again' }), 'INVALID_TRANSITION');
      // Closed before stale: a retry with the fresh version would only be refused again.
      await refused(service.updateTicket(me, { id: t.id, title: 'x', expectedVersion: 1 }), 'INVALID_TRANSITION');
      expect((await events(t.id)).at(-1)).toMatchObject({ type: 'status_changed', data: { to: 'closed' } });
      const deleted = await service.deleteTicket(me, { id: t.id, confirm: true, expectedVersion: t.version });
      expect(deleted.data.deletedAt).not.toBeNull();
    });
  });

  describe('assign_ticket', () => {
    it('assigns an open ticket and moves it to pending, with both events', async () => {
      const t = await newTicket();
      const { data, message } = await service.assignTicket(me, { id: t.ticketIdentifier, assignedAgentId: 'priya@example.com' });
      expect(data).toMatchObject({ assignedAgentId: priya, assignedAgent: 'Priya Shah', status: 'pending', circumstance: 'handover', version: 2 });
      expect(message).toContain('open → pending');
      expect((await events(t.id)).slice(1)).toEqual([
        { type: 'assignment_changed', actor: me.agentId, data: { from: null, to: { id: priya, name: 'Priya Shah' }, circumstance: 'handover' } },
        { type: 'status_changed', actor: me.agentId, data: { from: 'open', to: 'pending' } },
      ]);
    });

    it('records the previous and new assignee on reassignment, and unassigns with null', async () => {
      const t = await newTicket({ assignedAgentId: priya });
      await service.assignTicket(me, { id: t.id, assignedAgentId: 'Omar Haddad' });
      expect((await events(t.id)).filter((e) => e.type === 'assignment_changed').at(-1)!.data).toMatchObject({
        from: { id: priya, name: 'Priya Shah' },
        to: { id: omar, name: 'Omar Haddad' },
      });
      const { data } = await service.assignTicket(me, { id: t.id, assignedAgentId: null });
      expect(data).toMatchObject({ assignedAgentId: null, circumstance: null, status: 'pending' });
    });

    it('assigning the same agent again changes nothing', async () => {
      const t = await newTicket();
      await service.assignTicket(me, { id: t.id, assignedAgentId: priya });
      const again = await service.assignTicket(me, { id: t.id, assignedAgentId: priya });
      expect(again.data.version).toBe(2);
      expect(again.message).toContain('nothing changed');
      expect((await eventTypes(t.id))).toEqual(['created', 'assignment_changed', 'status_changed']);
    });

    it('is refused on a resolved ticket with the way to reopen it', async () => {
      const t = await ticketIn('resolved');
      const error = await refused(service.assignTicket(me, { id: t.id, assignedAgentId: priya }), 'INVALID_TRANSITION');
      expect(error.extras.hint).toContain('set_ticket_status');
      expect(error.extras.details).toEqual({ currentStatus: 'resolved', allowedStatuses: ['open', 'closed'] });
    });

    it('names the candidates when a name is ambiguous, and finds agents by any form', async () => {
      const t = await newTicket();
      const error = await refused(service.assignTicket(me, { id: t.id, assignedAgentId: 'LEE' }), 'AMBIGUOUS');
      expect(error.extras.candidates?.map((c) => c.email).sort()).toEqual(['lee1@example.com', 'lee2@example.com']);
      expect((await service.assignTicket(me, { id: t.id, assignedAgentId: lee })).data.assignedAgentId).toBe(lee);
      const fuzzy = await refused(service.assignTicket(me, { id: t.id, assignedAgentId: 'Priya' }), 'NOT_FOUND');
      expect(fuzzy.extras.candidates?.[0]?.id).toBe(priya);
    });
  });

  describe('takeover', () => {
    it('claims an unassigned ticket for the caller and moves it to pending', async () => {
      const t = await newTicket();
      const { data } = await service.takeover(me, { id: t.id });
      expect(data).toMatchObject({ assignedAgentId: me.agentId, status: 'pending', circumstance: 'takeover' });
      expect((await events(t.id)).slice(1).map((e) => [e.type, e.data.circumstance ?? e.data.to])).toEqual([
        ['assignment_changed', 'takeover'],
        ['status_changed', 'pending'],
      ]);
    });

    it('succeeds without change when the ticket is already the claimer’s', async () => {
      const t = await newTicket();
      await service.takeover(me, { id: t.id });
      const again = await service.takeover(me, { id: t.id });
      expect(again.data.version).toBe(2);
      expect((await eventTypes(t.id))).toHaveLength(3);
    });

    it('moves an open ticket assigned to the claimer to pending', async () => {
      const t = await newTicket({ assignedAgentId: priya });
      const { data } = await service.takeover(me, { id: t.id, assigneeId: priya });
      expect(data.status).toBe('pending');
      expect((await eventTypes(t.id))).toEqual(['created', 'assignment_changed', 'status_changed']);
    });

    it('is refused with the holder when another agent holds it, unless forced', async () => {
      const t = await newTicket({ assignedAgentId: priya });
      const error = await refused(service.takeover(me, { id: t.id }), 'CONFLICT');
      expect(error.extras.details).toEqual({ holder: { id: priya, name: 'Priya Shah', email: 'priya@example.com' } });
      expect(error.message).toContain('Priya Shah');
      expect((await eventTypes(t.id))).toEqual(['created', 'assignment_changed']);
      const { data } = await service.takeover(me, { id: t.id, force: true });
      expect(data.assignedAgentId).toBe(me.agentId);
      expect((await events(t.id)).filter((e) => e.type === 'assignment_changed').at(-1)!.data).toMatchObject({
        from: { id: priya },
        circumstance: 'takeover',
        forced: true,
      });
    });

    it('marks a claimed ticket as taken over even when the claimer already held it', async () => {
      const t = await newTicket({ assignedAgentId: priya });
      expect(t.circumstance).toBe('handover');
      expect((await service.takeover(me, { id: t.id, assigneeId: priya })).data.circumstance).toBe('takeover');
    });

    it('points a holder who tries to pass a ticket on with takeover to assign_ticket', async () => {
      const t = await newTicket();
      await service.takeover(me, { id: t.id });
      const error = await refused(service.takeover(me, { id: t.id, assigneeId: omar }), 'CONFLICT');
      expect(error.message).toContain('You hold');
      expect(error.extras.hint).toContain('assign_ticket');
    });

    it('is refused on resolved and closed tickets', async () => {
      await refused(service.takeover(me, { id: (await ticketIn('resolved')).id }), 'INVALID_TRANSITION');
      await refused(service.takeover(me, { id: (await ticketIn('closed')).id }), 'INVALID_TRANSITION');
    });
  });

  describe('complete_ticket', () => {
    it('resolves a pending ticket with the comment and who completed it', async () => {
      const t = await newTicket();
      await service.takeover(me, { id: t.id });
      const { data } = await service.completeTicket(me, { id: t.id, userId: 'omar@example.com', comment: 'Replaced the fuser' });
      expect(data).toMatchObject({ status: 'resolved', completedById: omar });
      expect(data.completedAt).not.toBeNull();
      expect((await events(t.id)).slice(-2)).toMatchObject([
        { type: 'comment_added', data: { body: 'Replaced the fuser', internal: false, author: { id: omar } } },
        { type: 'status_changed', data: { from: 'pending', to: 'resolved', completedBy: { id: omar, name: 'Omar Haddad' } } },
      ]);
      const comments = (await service.getTicket(me, { id: t.id })).data.comments;
      expect(comments.map((c) => [c.author, c.body])).toEqual([['Omar Haddad', 'Replaced the fuser']]);
    });

    it('resolves an open ticket through pending in one change, its comment an internal note if asked', async () => {
      const open = await newTicket();
      const done = await service.completeTicket(me, { id: open.id, comment: 'Cleared the queue', internal: true });
      expect(done.message).toBe(`Ticket ${open.ticketIdentifier}: status open → pending → resolved. Completed by Assistant <assistant@ticket-mcp.local>.`);
      expect(done.data).toMatchObject({ status: 'resolved', version: 2, completedById: me.agentId });
      expect(done.data.ongoingAt).not.toBeNull();
      expect((await events(open.id)).slice(1)).toMatchObject([
        { type: 'comment_added', data: { body: 'Cleared the queue', internal: true } },
        { type: 'status_changed', data: { from: 'open', to: 'pending' } },
        { type: 'status_changed', data: { from: 'pending', to: 'resolved', completedBy: { id: me.agentId } } },
      ]);
      const versions = await service.engine.reader.selectFrom('events').select('ticket_version').where('ticket_id', '=', open.id).orderBy('seq').execute();
      expect(versions.map((v) => v.ticket_version)).toEqual([1, 2, 2, 2]);
    });

    it('is refused from resolved and closed, changing nothing', async () => {
      const resolved = await ticketIn('resolved');
      const error = await refused(service.completeTicket(me, { id: resolved.id, comment: 'x' }), 'INVALID_TRANSITION');
      expect(error.extras.details).toEqual({ currentStatus: 'resolved', allowedStatuses: ['open', 'closed'] });
      expect((await service.getTicket(me, { id: resolved.id })).data).toMatchObject({ commentCount: 0, version: resolved.version });
      await refused(service.completeTicket(me, { id: (await ticketIn('closed')).id }), 'INVALID_TRANSITION');
    });
  });

  describe('expectedVersion', () => {
    it('applies a change only at the version the caller read', async () => {
      const t = await newTicket();
      const error = await refused(service.updateTicket(me, { id: t.id, title: 'New', expectedVersion: 7 }), 'CONFLICT');
      expect(error.extras.details).toEqual({ currentVersion: 1 });
      expect((await service.getTicket(me, { id: t.id })).data.title).toBe('Printer on fire');
      const { data } = await service.updateTicket(me, { id: t.id, title: 'New', expectedVersion: 1 });
      expect(data.version).toBe(2);
      await refused(service.takeover(me, { id: t.id, expectedVersion: 1 }), 'CONFLICT');
      await refused(service.addTag(me, { ticketId: t.id, tagId: 'vip', expectedVersion: 1 }), 'CONFLICT');
    });
  });

  describe('tags', () => {
    it('creates a tag from a new name, attaches once, and removes', async () => {
      const t = await newTicket();
      const added = await service.addTag(me, { ticketId: t.id, tagId: 'Billing' });
      expect(added.data.tags.map((g) => g.name)).toEqual(['Billing']);
      expect(added.message).toContain('new tag');
      const twice = await service.addTag(me, { ticketId: t.id, tagId: 'billing' });
      expect(twice.data.version).toBe(2);
      expect(twice.message).toContain('nothing changed');
      const tag = (await service.listTags(me, { search: 'bill' })).data.tags[0]!;
      expect(tag).toMatchObject({ name: 'Billing', activeTicketCount: 1, color: 'default' });
      const removed = await service.removeTag(me, { ticketId: t.id, tagId: tag.id });
      expect(removed.data.tags).toEqual([]);
      const notThere = await service.removeTag(me, { ticketId: t.id, tagId: 'billing' });
      expect(notThere.message).toContain('nothing changed');
      expect((await eventTypes(t.id))).toEqual(['created', 'tag_added', 'tag_removed']);
      expect((await events(t.id))[1]!.data).toEqual({ tagId: tag.id, tag: 'Billing' });
    });

    it('refuses a new tag name outside 3 to 50 characters and unknown tags on removal', async () => {
      const t = await newTicket();
      await refused(service.addTag(me, { ticketId: t.id, tagId: 'ab' }), 'VALIDATION_ERROR');
      // Characters, not UTF-16 units: two emoji are two characters.
      await refused(service.addTag(me, { ticketId: t.id, tagId: '🎉🎉' }), 'VALIDATION_ERROR');
      await refused(service.createTag(me, { name: '🎉🎉' }), 'VALIDATION_ERROR');
      expect((await service.addTag(me, { ticketId: t.id, tagId: '🎉🎉🎉' })).data.tags.map((g) => g.name)).toEqual(['🎉🎉🎉']);
      const long = '🎉'.repeat(50);
      expect((await service.createTag(me, { name: long })).data.name).toBe(long);
      await refused(service.removeTag(me, { ticketId: t.id, tagId: 'never-made' }), 'NOT_FOUND');
      await refused(service.addTag(me, { ticketId: t.id, tagId: 'tg_missing' }), 'NOT_FOUND');
    });

    it('counts only open and pending tickets as active', async () => {
      await service.createTag(me, { name: 'outage', description: 'Service down', color: 'red' });
      const a = await newTicket();
      const b = await ticketIn('pending');
      const c = await ticketIn('resolved');
      for (const t of [a, b, c]) await service.addTag(me, { ticketId: t.id, tagId: 'outage' });
      const count = async () => (await service.listTags(me, { search: 'outage' })).data.tags[0]!.activeTicketCount;
      expect(await count()).toBe(2);
      await service.deleteTicket(me, { id: a.id, confirm: true });
      expect(await count()).toBe(1);
    });

    it('refuses a duplicate tag name regardless of case', async () => {
      await service.createTag(me, { name: 'Security' });
      await refused(service.createTag(me, { name: 'SECURITY' }), 'CONFLICT');
      const renamed = await service.updateTag(me, { id: 'security', name: 'Security-Review', color: 'purple', description: 'Needs a review' });
      expect(renamed.data).toMatchObject({ name: 'Security-Review', color: 'purple', description: 'Needs a review' });
    });
  });

  describe('update_ticket', () => {
    it('records one metadata_updated event per changed field, with before and after', async () => {
      const t = await newTicket({ metadata: { a: 1, b: 2 } });
      const { data } = await service.updateTicket(me, {
        id: t.id,
        title: 'Printer fixed?',
        priorityName: 'High',
        dueDate: '2026-12-24T10:00:00+02:00',
        metadata: { b: null, c: 3 },
        description: 'Smells of smoke',
      });
      expect(data).toMatchObject({
        title: 'Printer fixed?',
        priority: 'High',
        dueDate: '2026-12-24T08:00:00.000Z',
        metadata: { a: 1, c: 3 },
        description: 'Smells of smoke',
        version: 2,
      });
      expect((await events(t.id)).slice(1).map((e) => e.data)).toEqual([
        { field: 'title', before: 'Printer on fire', after: 'Printer fixed?' },
        { field: 'description', before: null, after: 'Smells of smoke' },
        { field: 'priority', before: 'Medium', after: 'High' },
        { field: 'dueDate', before: null, after: '2026-12-24T08:00:00.000Z' },
        { field: 'metadata', before: { a: 1, b: 2 }, after: { a: 1, c: 3 } },
      ]);
      const search = await service.listTickets(me, { search: 'smoke' });
      expect(search.data.tickets.map((r) => r.key)).toContain(t.ticketIdentifier);
    });

    it('keeps merged metadata under 16 KB', async () => {
      const t = await newTicket({ metadata: { a: 'x'.repeat(10_000) } });
      await refused(service.updateTicket(me, { id: t.id, metadata: { b: 'y'.repeat(10_000) } }), 'VALIDATION_ERROR');
      const replaced = await service.updateTicket(me, { id: t.id, metadata: { a: null, b: 'y'.repeat(10_000) } });
      expect(Object.keys(replaced.data.metadata)).toEqual(['b']);
    });

    it('changes nothing when the values are the same, and needs a field', async () => {
      const t = await newTicket();
      const same = await service.updateTicket(me, { id: t.id, title: 'Printer on fire', priorityName: 'medium' });
      expect(same.data.version).toBe(1);
      expect((await eventTypes(t.id))).toEqual(['created']);
      await refused(service.updateTicket(me, { id: t.id }), 'VALIDATION_ERROR');
    });
  });

  describe('delete_ticket', () => {
    it('soft-deletes: hidden from lists, readable with its history, frozen', async () => {
      const t = await newTicket({ title: 'Spam zebra' });
      const { data } = await service.deleteTicket(me, { id: t.id, confirm: true, reason: 'spam' });
      expect(data.deletedAt).not.toBeNull();
      expect((await service.listTickets(me, { search: 'zebra' })).data.tickets).toEqual([]);
      expect((await service.listTickets(me, { search: 'zebra', includeDeleted: true })).data.tickets).toMatchObject([{ deleted: true }]);
      expect((await service.getTicket(me, { id: t.id })).data.deletedAt).toBe(data.deletedAt);
      expect((await eventTypes(t.id))).toEqual(['created', 'deleted']);
      expect((await events(t.id))[1]!.data).toEqual({ reason: 'spam' });
      const frozen = await refused(service.addComment(me, { id: t.id, body: 'x' }), 'INVALID_TRANSITION');
      expect(frozen.extras.details).toEqual({ deletedAt: data.deletedAt });
      const again = await service.deleteTicket(me, { id: t.id, confirm: true });
      expect(again.message).toContain('already deleted');
      expect((await eventTypes(t.id))).toHaveLength(2);
    });
  });

  describe('references', () => {
    it('finds tickets by id, key in any case, and bare number when only one team has it', async () => {
      const eng = await newTicket({ teamId: 'ENG' });
      expect((await service.getTicket(me, { id: eng.ticketIdentifier.toLowerCase() })).data.id).toBe(eng.id);
      const bare = await refused(service.getTicket(me, { id: '1' }), 'AMBIGUOUS');
      expect(bare.extras.candidates?.map((c) => c.name.split(':')[0]).sort()).toEqual(expect.arrayContaining(['ENG-1', 'SUP-1']));
      const missing = await refused(service.getTicket(me, { id: 'SUP-99999' }), 'NOT_FOUND');
      expect(missing.extras.hint).toContain('list_tickets');
    });
  });

  describe('list_tickets', () => {
    let tagged: string;
    beforeAll(async () => {
      await service.createTeam(me, { name: 'Listing', identifier: 'LST' });
      for (let i = 1; i <= 7; i++) {
        const t = await newTicket({ teamId: 'LST', title: `Listing ticket ${i}`, requestorEmail: i % 2 ? 'odd@example.com' : 'even@example.com' });
        if (i === 3) {
          await service.assignTicket(me, { id: t.id, assignedAgentId: priya });
          await service.addTag(me, { ticketId: t.id, tagId: 'listing-tag' });
          await service.addComment(me, { id: t.id, body: 'The quokka ate the cable' });
          tagged = t.ticketIdentifier;
        }
        if (i === 5) await service.updateTicket(me, { id: t.id, priorityName: 'Urgent', dueDate: '2026-01-01' });
      }
    });

    const keys = async (input: Record<string, unknown>) =>
      (await service.listTickets(me, { team: 'LST', ...input })).data.tickets.map((r) => r.key);

    it('filters by every field', async () => {
      expect(await keys({ status: 'pending' })).toEqual([tagged]);
      expect(await keys({ status: ['open'] })).toHaveLength(6);
      expect(await keys({ assignee: 'Priya Shah' })).toEqual([tagged]);
      expect(await keys({ assignee: 'none' })).toHaveLength(6);
      expect(await keys({ tag: 'LISTING-TAG' })).toEqual([tagged]);
      expect(await keys({ priority: 'urgent' })).toEqual(['LST-5']);
      expect(await keys({ dueBefore: '2026-06-01' })).toEqual(['LST-5']);
      expect(await keys({ requestor: 'even@example.com', sort: 'created' })).toEqual(['LST-2', 'LST-4', 'LST-6']);
      expect(await keys({ search: 'quokka' })).toEqual([tagged]);
      expect(await keys({ search: 'cables quokkas' })).toEqual([tagged]);
      expect(await keys({ search: 'quok' })).toEqual([]);
      expect(await keys({ search: 'listing ticket 7' })).toContain('LST-7');
      // Search pages come newest first by default, oldest first on request.
      expect(await keys({ search: 'listing ticket' })).toEqual(['LST-7', 'LST-6', 'LST-5', 'LST-4', 'LST-3', 'LST-2', 'LST-1']);
      expect(await keys({ search: 'listing ticket', sort: 'created', pageSize: 3 })).toEqual(['LST-1', 'LST-2', 'LST-3']);
      const row = (await service.listTickets(me, { team: 'LST', tag: 'listing-tag' })).data.tickets[0];
      expect(row).toEqual({
        key: tagged,
        title: 'Listing ticket 3',
        status: 'pending',
        priority: 'Medium',
        assignee: 'Priya Shah <priya@example.com>',
        team: 'LST',
        tags: ['listing-tag'],
        dueDate: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(await keys({ assignee: 'me' })).toEqual([]);
    });

    it('sorts and pages with a cursor, without gaps or repeats', async () => {
      expect(await keys({ sort: 'created' })).toEqual(['LST-1', 'LST-2', 'LST-3', 'LST-4', 'LST-5', 'LST-6', 'LST-7']);
      for (const sort of ['updated', 'newest', 'created'] as const) {
        const seen = await everyPage((cursor) => service.listTickets(me, { team: 'LST', sort, pageSize: 3, ...cursor }), (p) => p.tickets.map((r) => r.key));
        expect(seen).toHaveLength(7);
        expect(new Set(seen).size).toBe(7);
        expect(seen).toEqual(await keys({ sort }));
      }
      const searched = await everyPage(
        (cursor) => service.listTickets(me, { team: 'LST', search: 'listing', pageSize: 2, ...cursor }),
        (p) => p.tickets.map((r) => r.key),
      );
      expect(searched).toEqual(['LST-7', 'LST-6', 'LST-5', 'LST-4', 'LST-3', 'LST-2', 'LST-1']);
      await service.updateTicket(me, { id: 'LST-1', title: 'Listing ticket 1, edited' });
      expect((await keys({ sort: 'updated' }))[0]).toBe('LST-1');
    });

    it('refuses a cursor from another sort and a search with no words', async () => {
      const page = await service.listTickets(me, { team: 'LST', pageSize: 2 });
      await refused(service.listTickets(me, { sort: 'created', cursor: page.data.nextCursor! }), 'VALIDATION_ERROR');
      await refused(service.listTickets(me, { cursor: 'garbage' }), 'VALIDATION_ERROR');
      await refused(service.listTickets(me, { search: '"*"' }), 'VALIDATION_ERROR');
    });
  });

  describe('history', () => {
    it('pages through the audit trail in order', async () => {
      const t = await newTicket();
      for (let i = 0; i < 5; i++) await service.addComment(me, { id: t.id, body: `note ${i}`, internal: i % 2 === 0 });
      const first = await service.getTicketHistory(me, { id: t.id, pageSize: 4 });
      expect(first.data.events.map((e) => e.type)).toEqual(['created', 'comment_added', 'comment_added', 'comment_added']);
      const rest = await service.getTicketHistory(me, { id: t.id, cursor: first.data.nextCursor! });
      expect(rest.data.events.map((e) => e.details.body)).toEqual(['note 3', 'note 4']);
      expect(rest.data.nextCursor).toBeNull();
      expect(first.data.events[1]).toMatchObject({ actor: 'Assistant', actorId: me.agentId, details: { internal: true } });
    });
  });

  describe('names and emails match in any case, in any script', () => {
    it('folds case beyond ASCII for tags, agents, teams and contacts', async () => {
      await service.createTag(me, { name: 'Über' });
      await refused(service.createTag(me, { name: 'über' }), 'CONFLICT');
      const émile = (await service.createAgent(me, { name: 'Émile Zola', email: 'Émile@Exämple.fr' })).data;
      const t = await newTicket();
      expect((await service.assignTicket(me, { id: t.id, assignedAgentId: 'émile zola' })).data.assignedAgentId).toBe(émile.id);
      expect((await service.assignTicket(me, { id: t.id, assignedAgentId: 'émile@exämple.fr' })).message).toContain('nothing changed');
      await refused(service.createAgent(me, { name: 'Other', email: 'ÉMILE@EXÄMPLE.FR' }), 'CONFLICT');
      await service.createTeam(me, { name: 'Équipe', identifier: 'EQ' });
      await refused(service.createTeam(me, { name: 'équipe', identifier: 'EQ2' }), 'CONFLICT');
      const a = await newTicket({ requestorEmail: 'Ålborg@example.com' });
      const b = await newTicket({ requestorEmail: 'ålborg@EXAMPLE.com' });
      expect(b.customerContactId).toBe(a.customerContactId);
      expect((await service.listTickets(me, { requestor: 'ÅLBORG@example.com' })).data.tickets).toHaveLength(2);
    });

    it('takes LIKE wildcards in searches literally', async () => {
      expect((await service.listAgents(me, { search: '%' })).data.agents).toEqual([]);
      expect((await service.listAgents(me, { search: '_' })).data.agents).toEqual([]);
      expect((await service.listAgents(me, { search: 'ÉMILE' })).data.agents.map((a) => a.name)).toEqual(['Émile Zola']);
    });
  });

  describe('directory', () => {
    it('keeps agent emails unique and refuses self-deactivation', async () => {
      await refused(service.createAgent(me, { name: 'Dup', email: 'PRIYA@example.com' }), 'CONFLICT');
      await refused(service.updateAgent(me, { id: me.agentId, active: false }), 'FORBIDDEN');
      const moved = await service.updateAgent(me, { id: 'omar@example.com', removeTeams: ['ENG'], addTeams: ['LST'] });
      expect(moved.data.teams).toEqual(['LST', 'RT', 'SUP']);
    });

    it('validates team identifiers and keeps them unique', async () => {
      await refused(service.createTeam(me, { name: 'Bad', identifier: '1X' }), 'VALIDATION_ERROR');
      await refused(service.createTeam(me, { name: 'Other', identifier: 'eng' }), 'CONFLICT');
      const teams = (await service.listTeams(me, { pageSize: 100 })).data.teams;
      expect(teams.find((t) => t.identifier === 'SUP')).toMatchObject({ name: 'Support' });
    });

    it('pages agents by name', async () => {
      const names = await everyPage((cursor) => service.listAgents(me, { pageSize: 2, includeInactive: true, ...cursor }), (p) => p.agents.map((a) => a.name));
      const all = (await service.listAgents(me, { pageSize: 100, includeInactive: true })).data.agents.map((a) => a.name);
      expect(names).toEqual(all);
      expect(all).toContain('Ann');
      expect((await service.listAgents(me, { pageSize: 100 })).data.agents.map((a) => a.name)).not.toContain('Ann');
    });
  });

  describe('the audit trail', () => {
    it('pairs every ticket version with its events, and every event with a version', async () => {
      const db = service.engine.reader;
      const tickets = await db.selectFrom('tickets').select(['id', 'version']).execute();
      expect(tickets.length).toBeGreaterThan(50);
      for (const t of tickets) {
        const made = await db.selectFrom('events').select('ticket_version as v').distinct().where('ticket_id', '=', t.id).orderBy('v').execute();
        expect(made.map((r) => r.v), t.id).toEqual(Array.from({ length: t.version }, (_, i) => i + 1));
      }
      const created = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'created').executeTakeFirstOrThrow();
      expect(created.n).toBe(tickets.length);
    });

    it('cannot be edited or deleted', async () => {
      await expect(sql`UPDATE events SET type = 'deleted'`.execute(service.engine.reader)).rejects.toThrow(/append-only/);
      await expect(sql`DELETE FROM events`.execute(service.engine.reader)).rejects.toThrow(/append-only/);
    });
  });
});
