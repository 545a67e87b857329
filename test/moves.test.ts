import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examinePostgresUrl } from '../src/db/postgres/doctor.js';
import { examine } from '../src/db/sqlite/doctor.js';
import type { Finding } from '../src/db/finding.js';
import type { Caller } from '../src/service/context.js';
import { TicketService } from '../src/service/service.js';
import { createEngineDatabase, describeEngines, type EngineDatabase, type EngineKind } from './engines.js';
import { call, connectInMemory, fails, ok, spawnServer } from './helpers.js';

/**
 * Moving a ticket to another team, restoring a deleted one, completing from open, and the
 * bulk forms of the ticket changes: through a real SDK client on both engines, then the
 * doctor of that engine on what they wrote.
 */
let database: EngineDatabase;
let service: TicketService;
let caller: Caller;
let client: Client;

const history = async (id: string) => (await ok(client, 'get_ticket_history', { id })).events as { type: string; version: number; actorId: string; details: Record<string, unknown> }[];
const newTicket = async (title: string, extra: Record<string, unknown> = {}) =>
  (await ok(client, 'create_ticket', { title, requestorEmail: 'kim@example.com', ...extra })) as { id: string; ticketIdentifier: string; version: number };

async function doctor(kind: EngineKind): Promise<Finding[]> {
  if (kind === 'postgres') return (await examinePostgresUrl(database.target)).findings;
  const raw = new BetterSqlite3(database.target);
  try {
    return examine(raw);
  } finally {
    raw.close();
  }
}

describeEngines('moves, restores, completion and bulk changes', (kind) => {
  beforeAll(async () => {
    database = await createEngineDatabase(kind);
    service = new TicketService(await database.open());
    const workspaceId = await service.ensureWorkspace();
    caller = { workspaceId, agentId: (await service.resolveActor(workspaceId, undefined)).id };
    client = await connectInMemory(service, caller);
    await ok(client, 'create_team', { name: 'Billing', identifier: 'BIL' });
    await ok(client, 'create_agent', { name: 'Priya Shah', email: 'priya@example.com' });
    await ok(client, 'create_agent', { name: 'Otto Berg', email: 'otto@example.com' });
  });

  afterAll(async () => {
    await client.close();
    await service.close();
    await database.drop();
  });

  describe('update_ticket with teamId', () => {
    it('gives the ticket the next key of the team, and records both keys and teams', async () => {
      const t = await newTicket('Typo on the invoice');
      const from = t.ticketIdentifier;
      const moved = await call(client, 'update_ticket', { id: from, teamId: 'billing' });
      expect(moved.message).toBe(`Ticket ${from}: key ${from} → BIL-1; team Support → Billing.`);
      expect(moved.data).toMatchObject({ id: t.id, ticketIdentifier: 'BIL-1', ticketId: 1, teamIdentifier: 'BIL', teamName: 'Billing', version: 2 });
      expect((await history(t.id)).at(-1)).toMatchObject({
        type: 'team_changed',
        version: 2,
        details: { fromKey: from, toKey: 'BIL-1', fromTeam: 'Support', toTeam: 'Billing' },
      });
      expect((await newTicket('Next one', { teamId: 'BIL' })).ticketIdentifier).toBe('BIL-2');
    });

    it('keeps the old key naming the ticket everywhere: get, update, history, comments, list search, ticket://', async () => {
      const t = await newTicket('Refund request');
      const old = t.ticketIdentifier;
      const now = (await ok(client, 'update_ticket', { id: old, teamId: 'BIL', title: 'Refund for order 7' })).ticketIdentifier;
      const got = await call(client, 'get_ticket', { id: old.toLowerCase() });
      expect(got.data).toMatchObject({ id: t.id, ticketIdentifier: now, title: 'Refund for order 7' });
      expect(got.message).toContain(`Ticket ${now} (${old} before it moved)`);
      expect((await ok(client, 'update_ticket', { id: old, priorityName: 'High' })).ticketIdentifier).toBe(now);
      expect((await ok(client, 'add_comment', { id: old, body: 'Still waiting' })).ticket.ticketIdentifier).toBe(now);
      expect((await ok(client, 'get_ticket_history', { id: old })).ticket).toBe(now);
      const listed = await call(client, 'list_tickets', { search: old });
      expect(listed.data.tickets.map((r: { key: string }) => r.key)).toEqual([now]);
      expect(listed.message).toContain(`key ${old}`);
      const { contents } = await client.readResource({ uri: `ticket://${old}` });
      const text = (contents[0] as { text: string }).text;
      expect(text).toContain(`# ${now}: Refund for order 7`);
      expect(text).toContain(`moved ${old} → ${now} (team Support → Billing)`);
    });

    it('moves back and forth, every former key still resolving, each move one version', async () => {
      const t = await newTicket('Wanders');
      const first = t.ticketIdentifier;
      const second = (await ok(client, 'update_ticket', { id: first, teamId: 'BIL' })).ticketIdentifier;
      const third = await ok(client, 'update_ticket', { id: second, teamId: 'SUP' });
      expect(third.ticketIdentifier).not.toBe(first);
      expect(third.version).toBe(3);
      for (const key of [first, second, third.ticketIdentifier]) expect((await ok(client, 'get_ticket', { id: key })).id).toBe(t.id);
    });

    it('succeeds and changes nothing when the ticket is in that team already', async () => {
      const t = await newTicket('Stays');
      const same = await call(client, 'update_ticket', { id: t.id, teamId: 'Support' });
      expect(same.status).toBe(true);
      expect(same.message).toBe(`Ticket ${t.ticketIdentifier} already had those values; nothing changed.`);
      expect(same.data).toMatchObject({ ticketIdentifier: t.ticketIdentifier, version: 1 });
      expect((await history(t.id)).map((e) => e.type)).toEqual(['created']);
    });

    it('refuses an unknown team with the teams there are, and a closed ticket, changing nothing', async () => {
      const t = await newTicket('Nowhere');
      const error = await fails(client, 'update_ticket', { id: t.id, teamId: 'Legal' }, 'NOT_FOUND');
      expect(error.candidates!.map((c) => c.name)).toEqual(['BIL (Billing)', 'SUP (Support)']);
      await ok(client, 'set_ticket_status', { id: t.id, status: 'pending' });
      await ok(client, 'set_ticket_status', { id: t.id, status: 'resolved' });
      await ok(client, 'set_ticket_status', { id: t.id, status: 'closed' });
      await fails(client, 'update_ticket', { id: t.id, teamId: 'BIL' }, 'INVALID_TRANSITION');
      expect((await ok(client, 'get_ticket', { id: t.ticketIdentifier })).teamIdentifier).toBe('SUP');
    });
  });

  describe('restore_ticket', () => {
    it('brings a deleted ticket back as it was; while deleted it moves nowhere and says how to restore', async () => {
      const t = await newTicket('Deleted by mistake');
      await ok(client, 'set_ticket_status', { id: t.id, status: 'pending' });
      const deleted = await ok(client, 'delete_ticket', { id: t.id, confirm: true });
      expect(deleted).toMatchObject({ status: 'pending', nextStatuses: [] });
      const refused = await fails(client, 'set_ticket_status', { id: t.id, status: 'open' }, 'INVALID_TRANSITION');
      expect(refused.hint).toContain('restore_ticket');
      const restored = await call(client, 'restore_ticket', { id: t.ticketIdentifier });
      expect(restored.message).toBe(`Ticket ${t.ticketIdentifier} restored (pending); it shows in lists again.`);
      expect(restored.data).toMatchObject({ status: 'pending', nextStatuses: ['open', 'resolved'], version: 4 });
      expect(restored.data).not.toHaveProperty('deletedAt');
      expect((await history(t.id)).slice(-2).map((e) => e.type)).toEqual(['deleted', 'restored']);
      expect((await ok(client, 'list_tickets', { search: t.ticketIdentifier })).tickets).toHaveLength(1);
    });

    it('refuses a ticket that is not deleted, and one whose chat has another live ticket (naming it)', async () => {
      const live = await newTicket('Alive');
      const error = await fails(client, 'restore_ticket', { id: live.id }, 'INVALID_TRANSITION');
      expect(error.message).toBe(`Ticket ${live.ticketIdentifier} is not deleted; there is nothing to restore.`);

      const first = await newTicket('Chat ticket', { chatId: 'chat-77' });
      await ok(client, 'delete_ticket', { id: first.id, confirm: true });
      const second = await newTicket('Chat ticket again', { chatId: 'chat-77' });
      const clash = await fails(client, 'restore_ticket', { id: first.id }, 'CONFLICT');
      expect(clash.details).toEqual({ ticket: second.ticketIdentifier });
      expect(clash.hint).toContain(second.ticketIdentifier);
      expect((await ok(client, 'get_ticket', { id: first.id })).deletedAt).not.toBeNull();
      await ok(client, 'delete_ticket', { id: second.id, confirm: true });
      expect((await ok(client, 'restore_ticket', { id: first.id })).deletedAt).toBeUndefined();
    });
  });

  describe('complete_ticket', () => {
    it('resolves an open ticket through pending in one change, with an internal note', async () => {
      const t = await newTicket('Slow dashboard');
      const done = await call(client, 'complete_ticket', { id: t.id, comment: 'Added an index', internal: true });
      expect(done.message).toBe(`Ticket ${t.ticketIdentifier}: status open → pending → resolved. Completed by Assistant <assistant@ticket-mcp.local>.`);
      expect(done.data).toMatchObject({ status: 'resolved', version: 2 });
      const events = (await history(t.id)).slice(1);
      expect(events.map((e) => [e.type, e.version, e.details.to ?? e.details.internal])).toEqual([
        ['comment_added', 2, true],
        ['status_changed', 2, 'pending'],
        ['status_changed', 2, 'resolved'],
      ]);
      expect((await ok(client, 'get_ticket', { id: t.id })).comments).toMatchObject([{ body: 'Added an index', internal: true }]);
    });
  });

  describe('bulk changes', () => {
    it('set_ticket_status changes each ticket on its own and reports every outcome, failures included', async () => {
      const a = await newTicket('Bulk A');
      const b = await newTicket('Bulk B');
      const c = await newTicket('Bulk C');
      await ok(client, 'set_ticket_status', { id: b.id, status: 'pending' });
      const answer = await call(client, 'set_ticket_status', { ids: [a.ticketIdentifier, b.id, c.ticketIdentifier, 'NOPE-9'], status: 'resolved' });
      expect(answer.status).toBe(true);
      expect(answer.data.results).toEqual([
        { key: a.ticketIdentifier, ok: false, code: 'INVALID_TRANSITION', message: expect.stringContaining('it cannot move to resolved') },
        { key: b.ticketIdentifier, ok: true, changed: true, message: `Ticket ${b.ticketIdentifier}: status pending → resolved.` },
        { key: c.ticketIdentifier, ok: false, code: 'INVALID_TRANSITION', message: expect.any(String) },
        { key: 'NOPE-9', ok: false, code: 'NOT_FOUND', message: 'No ticket "NOPE-9" in this workspace.' },
      ]);
      expect(answer.message).toBe(
        `1 of 4 tickets changed; 3 failed: ${a.ticketIdentifier} INVALID_TRANSITION, ${c.ticketIdentifier} INVALID_TRANSITION, NOPE-9 NOT_FOUND (data.results says why).`,
      );
      expect((await history(b.id)).at(-1)).toMatchObject({ type: 'status_changed', actorId: caller.agentId, details: { from: 'pending', to: 'resolved' } });
      expect((await history(a.id)).map((e) => e.type)).toEqual(['created']);

      const again = await call(client, 'set_ticket_status', { ids: [b.ticketIdentifier, a.id], status: 'open' });
      expect(again.message).toBe('1 of 2 tickets changed, 1 already so.');
    });

    it('assign_ticket, add_tag and remove_tag (several tags), delete_ticket in bulk', async () => {
      const tickets = [await newTicket('Batch 1'), await newTicket('Batch 2'), await newTicket('Batch 3')];
      const ids = tickets.map((t) => t.ticketIdentifier);
      await ok(client, 'assign_ticket', { id: ids[0], assignedAgentId: 'Priya Shah' });
      const assigned = await call(client, 'assign_ticket', { ids, assignedAgentId: 'priya@example.com' });
      expect(assigned.message).toBe('2 of 3 tickets changed, 1 already so.');
      expect(assigned.data.results.map((r: { changed: boolean }) => r.changed)).toEqual([false, true, true]);

      const tagged = await call(client, 'add_tag', { ticketIds: ids, tags: ['batch', 'vip'] });
      expect(tagged.message).toBe('3 of 3 tickets changed.');
      for (const t of tickets) {
        const events = (await history(t.id)).filter((e) => e.type === 'tag_added');
        expect(events.map((e) => e.details.tag)).toEqual(['batch', 'vip']);
        expect(new Set(events.map((e) => e.version)).size).toBe(1);
      }
      const untagged = await ok(client, 'remove_tag', { ticketId: ids[0], tags: ['vip', 'batch'] });
      expect(untagged.tags).toBeUndefined();
      expect((await ok(client, 'remove_tag', { ticketIds: ids, tagId: 'vip' })).results.map((r: { changed: boolean }) => r.changed)).toEqual([false, true, true]);

      const deleted = await call(client, 'delete_ticket', { ids: ids.slice(1), confirm: true, reason: 'batch test' });
      expect(deleted.message).toBe('2 of 2 tickets changed.');
      expect((await ok(client, 'list_tickets', { tag: 'batch' })).tickets).toEqual([]);
    });

    it('changes and reports a ticket named twice (by key, id, another case, a former key) once', async () => {
      const a = await newTicket('Twice A');
      const b = await newTicket('Twice B');
      const aKey = a.ticketIdentifier as string;
      const assigned = await call(client, 'assign_ticket', { ids: [aKey, a.id, aKey.toLowerCase(), b.id, 'NOPE-9', 'nope-9'], assignedAgentId: 'Otto Berg' });
      expect(assigned.data.results.map((r: { key: string }) => r.key)).toEqual([aKey, b.ticketIdentifier, 'NOPE-9']);
      expect(assigned.message).toBe(`2 of 3 tickets changed; 1 failed: NOPE-9 NOT_FOUND (data.results says why). Named more than once, counted once: ${aKey}, NOPE-9.`);
      expect((await history(a.id)).filter((e) => e.type === 'assignment_changed')).toHaveLength(1);

      const moved = await ok(client, 'update_ticket', { id: b.id, teamId: 'BIL' });
      const deleted = await call(client, 'delete_ticket', { ids: [b.ticketIdentifier, moved.ticketIdentifier], confirm: true });
      expect(deleted.message).toBe(`1 of 1 ticket changed. Named more than once, counted once: ${moved.ticketIdentifier}.`);
    });

    it('fails the whole call, changing nothing, on an argument every ticket shares', async () => {
      const t = await newTicket('Untouched');
      await fails(client, 'assign_ticket', { ids: [t.id], assignedAgentId: 'Nobody Known' }, 'NOT_FOUND');
      await fails(client, 'set_ticket_status', { ids: [t.id], status: 'finished' }, 'VALIDATION_ERROR');
      await fails(client, 'add_tag', { ticketIds: [t.id], tags: ['ok-tag', 'x'] }, 'VALIDATION_ERROR');
      await fails(client, 'remove_tag', { ticketIds: [t.id], tagId: 'never-made' }, 'NOT_FOUND');
      expect((await history(t.id)).map((e) => e.type)).toEqual(['created']);
      expect((await ok(client, 'list_tags', { search: 'ok-tag' })).tags).toEqual([]);
    });

    it('takes 1 to 100 tickets, exactly one of id and ids, and no version with ids', async () => {
      const many = Array.from({ length: 101 }, (_, i) => `SUP-${i + 1}`);
      const tooMany = await fails(client, 'set_ticket_status', { ids: many, status: 'closed' }, 'VALIDATION_ERROR');
      expect(tooMany.message).toContain('`ids` must have at most 100 items');
      await fails(client, 'delete_ticket', { ids: [], confirm: true }, 'VALIDATION_ERROR');
      const both = await fails(client, 'assign_ticket', { id: 'SUP-1', ids: ['SUP-2'], assignedAgentId: null }, 'VALIDATION_ERROR');
      expect(both.message).toContain('`id`: give it or `ids`, not both');
      const neither = await fails(client, 'add_tag', { tagId: 'vip' }, 'VALIDATION_ERROR');
      expect(neither.message).toContain('`ticketId`: required, or `ticketIds` for several tickets');
      await fails(client, 'add_tag', { ticketId: 'SUP-1' }, 'VALIDATION_ERROR');
      const versioned = await fails(client, 'set_ticket_status', { ids: ['SUP-1'], status: 'open', expectedVersion: 2 }, 'VALIDATION_ERROR');
      expect(versioned.message).toContain('`expectedVersion`: applies to one ticket');
      await fails(client, 'add_tag', { ticketId: 'SUP-1', tags: Array.from({ length: 21 }, (_, i) => `tag-${i}`) }, 'VALIDATION_ERROR');
    });

    it('update_agent with active: false and reassignTo hands the open and pending tickets over, each its own change', async () => {
      // An AI session may deactivate an AI agent (a human's active state is for humans to change).
      await ok(client, 'create_agent', { name: 'Leaver', email: 'leaver@example.com', kind: 'ai' });
      const open = await newTicket('Held open', { assignedAgentId: 'leaver@example.com' });
      const pending = await newTicket('Held pending', { assignedAgentId: 'leaver@example.com' });
      await ok(client, 'set_ticket_status', { id: pending.id, status: 'pending' });
      const resolved = await newTicket('Held resolved', { assignedAgentId: 'leaver@example.com' });
      await ok(client, 'complete_ticket', { id: resolved.id });

      await fails(client, 'update_agent', { id: 'Leaver', active: false, reassignTo: 'Leaver' }, 'VALIDATION_ERROR');
      const left = await call(client, 'update_agent', { id: 'Leaver', active: false, reassignTo: 'otto@example.com' });
      expect(left.data, left.message).toMatchObject({ active: false, openTickets: 0 });
      expect(left.data.results.map((r: { key: string; ok: boolean }) => [r.key, r.ok])).toEqual([
        [open.ticketIdentifier, true],
        [pending.ticketIdentifier, true],
      ]);
      expect(left.message).toBe('Agent Leaver <leaver@example.com> updated. Handed over to Otto Berg <otto@example.com>: 2 of 2 tickets changed.');
      for (const t of [open, pending]) {
        expect((await history(t.id)).find((e) => e.type === 'assignment_changed' && (e.details.to as { name: string }).name === 'Otto Berg')).toMatchObject({
          actorId: caller.agentId,
          details: { from: { name: 'Leaver' }, circumstance: 'handover' },
        });
      }
      expect((await ok(client, 'get_ticket', { id: resolved.id })).assignedAgent).toBe('Leaver');
      const again = await call(client, 'update_agent', { id: 'Leaver', active: false, reassignTo: 'Otto Berg' });
      expect(again.message).toContain('They held no open or pending tickets to hand over.');
    });

    it("update_agent with reassignTo alone hands a human's work over when an AI may not deactivate them", async () => {
      await ok(client, 'create_agent', { name: 'Departing', email: 'departing@example.com', kind: 'human' });
      const held = await newTicket('Held by a human', { assignedAgentId: 'departing@example.com' });
      const refused = await fails(client, 'update_agent', { id: 'Departing', active: false, reassignTo: 'Otto Berg' }, 'FORBIDDEN');
      expect(refused.hint).toContain('reassignTo, without active');
      expect((await ok(client, 'get_ticket', { id: held.id })).assignedAgent).toBe('Departing');
      const handed = await call(client, 'update_agent', { id: 'Departing', reassignTo: 'Otto Berg' });
      expect(handed.data).toMatchObject({ active: true, openTickets: 0 });
      expect(handed.data.results).toEqual([expect.objectContaining({ key: held.ticketIdentifier, ok: true, changed: true })]);
      expect((await ok(client, 'get_ticket', { id: held.id })).assignedAgent).toBe('Otto Berg');
    });
  });

  it('leaves a database the doctor passes: moves, restores and bulk changes keep every invariant', async () => {
    await service.idle();
    expect((await doctor(kind)).filter((f) => !f.ok)).toEqual([]);
  });
});

describe('a bulk change over stdio, through the built bin', () => {
  it('closes resolved tickets, reports the one that cannot close, and writes each ticket\'s events', async () => {
    const { client: bin } = await spawnServer(['--db', ':memory:']);
    try {
      const keys: string[] = [];
      for (const title of ['Done one', 'Done two', 'Still open']) keys.push((await ok(bin, 'create_ticket', { title, requestorEmail: 'kim@example.com' })).ticketIdentifier);
      await ok(bin, 'complete_ticket', { id: keys[0] });
      await ok(bin, 'complete_ticket', { id: keys[1] });
      const closed = await call(bin, 'set_ticket_status', { ids: keys, status: 'closed' });
      expect(closed.status).toBe(true);
      expect(closed.message).toBe(`2 of 3 tickets changed; 1 failed: ${keys[2]} INVALID_TRANSITION (data.results says why).`);
      expect(closed.data.results.map((r: { key: string; ok: boolean }) => [r.key, r.ok])).toEqual([[keys[0], true], [keys[1], true], [keys[2], false]]);
      for (const key of keys.slice(0, 2)) {
        expect((await ok(bin, 'get_ticket_history', { id: key })).events.map((e: { type: string }) => e.type)).toEqual(['created', 'status_changed', 'status_changed', 'status_changed']);
      }
      expect((await ok(bin, 'get_ticket', { id: keys[2] })).status).toBe('open');
    } finally {
      await bin.close();
    }
  });
});
