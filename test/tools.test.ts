import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketService } from '../src/service/service.js';
import type { Caller } from '../src/service/context.js';
import { describeEngines, openEngineService } from './engines.js';
import { call, connectInMemory, fails, ok } from './helpers.js';

/**
 * Every tool through a real SDK Client (in-memory transport), which validates each
 * structuredContent against the tool's published outputSchema.
 */
let service: TicketService;
let caller: Caller;
let close: () => Promise<void>;
let client: Client;

describeEngines('every tool', (kind) => {
  beforeAll(async () => {
    ({ service, caller, close } = await openEngineService(kind));
    client = await connectInMemory(service, caller);
  });

  afterAll(async () => {
    await client.close();
    await close();
  });

  describe('a support session through every tool', () => {
    it('runs the whole lifecycle', async () => {
      const team = await ok(client, 'create_team', { name: 'Billing', identifier: 'bil', description: 'Money matters' });
      expect(team).toMatchObject({ identifier: 'BIL', members: [], openTickets: 0 });
      expect((await ok(client, 'list_teams')).teams.map((t: any) => t.identifier)).toEqual(['BIL', 'SUP']);

      const priya = await ok(client, 'create_agent', { name: 'Priya Shah', email: 'priya@example.com', teams: ['BIL'] });
      expect(priya).toMatchObject({ kind: 'human', active: true, teams: ['BIL'], openTickets: 0 });
      // The session's agent is an AI: it may change a human's teams, not their kind (test/directory.test.ts).
      const updated = await ok(client, 'update_agent', { id: 'Priya Shah', addTeams: ['SUP'] });
      expect(updated).toMatchObject({ kind: 'human', teams: ['BIL', 'SUP'] });
      expect((await ok(client, 'list_agents', { team: 'BIL' })).agents.map((a: any) => a.email)).toEqual(['priya@example.com']);

      const tag = await ok(client, 'create_tag', { name: 'refund', description: 'Money back', color: 'green' });
      expect(tag).toMatchObject({ name: 'refund', color: 'green', activeTicketCount: 0 });
      expect((await ok(client, 'update_tag', { id: 'refund', color: 'red' })).color).toBe('red');

      const created = await call(client, 'create_ticket', {
        title: 'Double charge',
        requestorEmail: 'kim@example.com',
        teamId: 'Billing',
        performRouting: true,
        idempotencyKey: 'kim-1',
      });
      expect(created.message).toBe('Ticket BIL-1 created (open) and routed to Priya Shah <priya@example.com>, the least loaded agent of BIL.');
      const ticket = created.data;
      expect(ticket).toMatchObject({ ticketIdentifier: 'BIL-1', assignedAgent: 'Priya Shah', status: 'open' });

      const replay = await call(client, 'create_ticket', {
        title: 'Double charge',
        requestorEmail: 'kim@example.com',
        teamId: 'Billing',
        performRouting: true,
        idempotencyKey: 'kim-1',
      });
      expect(replay.data).toEqual(ticket);

      expect((await ok(client, 'add_tag', { ticketId: 'bil-1', tagId: 'refund' })).tags.map((t: any) => t.name)).toEqual(['refund']);
      const took = await ok(client, 'takeover', { id: 'BIL-1', force: true, expectedVersion: 2 });
      expect(took).toMatchObject({ status: 'pending', assignedAgent: 'Assistant', circumstance: 'takeover', version: 3 });
      const assigned = await ok(client, 'assign_ticket', { id: 'BIL-1', assignedAgentId: 'priya@example.com' });
      expect(assigned).toMatchObject({ assignedAgent: 'Priya Shah', circumstance: 'handover' });
      const commented = await ok(client, 'add_comment', { id: 'BIL-1', body: 'Refund issued', internal: true });
      expect(commented.comment).toMatchObject({ author: 'Assistant', body: 'Refund issued', internal: true });
      expect(commented.ticket.version).toBe(5);
      const edited = await ok(client, 'update_ticket', { id: 'BIL-1', priorityName: 'High', metadata: { invoice: 'INV-7' } });
      expect(edited).toMatchObject({ priority: 'High', metadata: { invoice: 'INV-7' } });
      const completed = await ok(client, 'complete_ticket', { id: 'BIL-1', comment: 'Customer refunded' });
      expect(completed).toMatchObject({ status: 'resolved', nextStatuses: ['open', 'closed'] });
      // A change answers only the fields with a value: no tags left, no tags field.
      expect(await ok(client, 'remove_tag', { ticketId: 'BIL-1', tagId: 'refund' })).not.toHaveProperty('tags');
      const closed = await ok(client, 'set_ticket_status', { id: 'BIL-1', status: 'closed', comment: 'Confirmed' });
      expect(closed).toMatchObject({ status: 'closed', nextStatuses: [] });

      const full = await ok(client, 'get_ticket', { id: ticket.id });
      expect(full.comments.map((c: any) => c.body)).toEqual(['Refund issued', 'Customer refunded', 'Confirmed']);
      expect(full.commentCount).toBe(3);

      const history = await ok(client, 'get_ticket_history', { id: 'BIL-1' });
      expect(history.events.map((e: any) => e.type)).toEqual([
        'created',
        'assignment_changed',
        'tag_added',
        'assignment_changed',
        'status_changed',
        'assignment_changed',
        'comment_added',
        'metadata_updated',
        'metadata_updated',
        'comment_added',
        'status_changed',
        'tag_removed',
        'comment_added',
        'status_changed',
      ]);
      expect(history.events.map((e: any) => e.version)).toEqual([1, 1, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 9, 9]);

      const listed = await ok(client, 'list_tickets', { status: 'closed', team: 'BIL' });
      expect(listed.tickets).toHaveLength(1);
      expect((await ok(client, 'list_tags')).tags[0]).toMatchObject({ name: 'refund', activeTicketCount: 0 });

      const spare = await ok(client, 'create_ticket', { title: 'Spam', requestorEmail: 'x@example.com' });
      const deleted = await ok(client, 'delete_ticket', { id: spare.ticketIdentifier, confirm: true, reason: 'spam' });
      expect(deleted.deletedAt).not.toBeNull();
    });
  });

  describe('every failure is an envelope with a code and a way forward', () => {
    it('names an unknown argument and suggests the right one', async () => {
      const error = await fails(client, 'assign_ticket', { ticket_id: 'SUP-1', assignedAgentId: 'x' }, 'VALIDATION_ERROR');
      expect(error.message).toBe(
        'Invalid arguments for assign_ticket: unknown argument `ticket_id` (did you mean `id`?); `id`: required, or `ids` for several tickets.',
      );
      expect(error.hint).toBe('assign_ticket takes: id, ids, assignedAgentId (required), expectedVersion, detail.');
    });

    it('names a wrong type, a missing field, a bad enum and a bad email', async () => {
      expect((await fails(client, 'takeover', { id: 42 }, 'VALIDATION_ERROR')).message).toContain('`id` must be a string, not number 42');
      expect((await fails(client, 'create_ticket', { title: 'x' }, 'VALIDATION_ERROR')).message).toContain('`requestorEmail` is required');
      expect((await fails(client, 'create_tag', { name: 'xyz', color: 'teal' }, 'VALIDATION_ERROR')).message).toMatch(/`color`.*"purple"/);
      expect((await fails(client, 'create_ticket', { title: ' ', requestorEmail: 'a@b.co' }, 'VALIDATION_ERROR')).message).toContain('`title` must not be empty');
      expect((await fails(client, 'update_ticket', { id: 'SUP-1', metadata: [] }, 'VALIDATION_ERROR')).message).toContain('`metadata` must be an object, not an array');
      expect((await fails(client, 'add_tag', { ticketId: 'SUP-1', tag: 'x' }, 'VALIDATION_ERROR')).message).toContain('(did you mean `tagId`?)');
      expect((await fails(client, 'create_ticket', { title: 'x', requestorEmail: 'not-an-email' }, 'VALIDATION_ERROR')).message).toContain(
        '`requestorEmail`',
      );
      expect((await fails(client, 'delete_ticket', { id: 'SUP-1', confirm: false }, 'VALIDATION_ERROR')).message).toContain('`confirm`');
      expect((await fails(client, 'list_tickets', { pageSize: 500 }, 'VALIDATION_ERROR')).message).toContain('`pageSize`');
      expect((await fails(client, 'create_ticket', { title: 'x', requestorEmail: 'a@b.co', dueDate: 'next friday' }, 'VALIDATION_ERROR')).message).toContain('`dueDate`');
    });

    it('answers arguments that are not an object with JSON-RPC invalid params', async () => {
      // The SDK checks the request's shape before any tool runs; no model-made tool_use input gets here.
      for (const args of [['SUP-1'], 'SUP-1', 42]) {
        const answer = client.request({ method: 'tools/call', params: { name: 'get_ticket', arguments: args } }, CallToolResultSchema);
        await expect(answer).rejects.toMatchObject({ code: -32602 });
      }
      expect((await ok(client, 'list_teams')).teams.length).toBeGreaterThan(0);
    });

    it('points a misnamed argument to the right one, or to the right tool', async () => {
      const suggest = async (tool: string, args: Record<string, unknown>) => (await fails(client, tool, args, 'VALIDATION_ERROR')).message;
      expect(await suggest('assign_ticket', { id: 'SUP-1', agentId: 'x' })).toContain('`agentId` (did you mean `assignedAgentId`?)');
      expect(await suggest('add_tag', { ticketId: 'SUP-1', tag: 'x' })).toContain('(did you mean `tagId`?)');
      expect(await suggest('get_ticket', { ticketIdentifier: 'SUP-1' })).toContain('(did you mean `id`?)');
      expect(await suggest('update_ticket', { id: 'SUP-1', status: 'closed' })).toContain('use set_ticket_status');
      expect(await suggest('update_ticket', { id: 'SUP-1', tags: ['x'] })).toContain('use add_tag');
      expect(await suggest('list_tickets', { status: [] })).toContain('`status` must not be empty');
    });

    it('accepts Unicode emails and refuses oversized metadata', async () => {
      const t = await ok(client, 'create_ticket', { title: 'Ünïcode', requestorEmail: 'jö@exämple.com' });
      expect(t.requestorEmail).toBe('jö@exämple.com');
      const big = { blob: 'x'.repeat(20_000) };
      expect((await fails(client, 'create_ticket', { title: 'x', requestorEmail: 'a@b.co', metadata: big }, 'VALIDATION_ERROR')).message).toContain(
        '`metadata`: must be at most 16 KB as JSON',
      );
      const stale = await fails(client, 'delete_ticket', { id: t.id, confirm: true, expectedVersion: 9 }, 'CONFLICT');
      expect(stale.details).toEqual({ currentVersion: 1 });
    });

    it('links create_ticket and get_ticket answers to the ticket resource, and no others', async () => {
      const created = await client.callTool({ name: 'create_ticket', arguments: { title: 'Linked', requestorEmail: 'l@example.com' } });
      const key = (created.structuredContent as any).data.ticketIdentifier;
      expect((created.content as any[])[1]).toEqual({
        type: 'resource_link',
        uri: `ticket://${key}`,
        name: key,
        title: `${key}: Linked`,
        mimeType: 'text/markdown',
      });
      expect(((await client.callTool({ name: 'get_ticket', arguments: { id: key } })).content as any[])[1].uri).toBe(`ticket://${key}`);
      expect((await client.callTool({ name: 'takeover', arguments: { id: key } })).content).toHaveLength(1);
    });

    it('treats missing arguments as an empty object', async () => {
      const result = await client.callTool({ name: 'get_ticket' });
      expect(result.isError).toBe(true);
      expect((result.structuredContent as any).error.code).toBe('VALIDATION_ERROR');
    });

    it('answers an unknown tool with the list of tools', async () => {
      const result = await client.callTool({ name: 'close_ticket', arguments: {} });
      expect(result.isError).toBe(true);
      expect((result.structuredContent as any).error).toMatchObject({ code: 'NOT_FOUND' });
      expect((result.structuredContent as any).error.hint).toContain('set_ticket_status');
    });

    it('gives NOT_FOUND, AMBIGUOUS, CONFLICT and INVALID_TRANSITION with their details', async () => {
      expect((await fails(client, 'get_ticket', { id: 'NOPE-1' }, 'NOT_FOUND')).hint).toContain('list_tickets');
      await ok(client, 'create_agent', { name: 'Sam', email: 'sam1@example.com' });
      await ok(client, 'create_agent', { name: 'sam', email: 'sam2@example.com' });
      const t = await ok(client, 'create_ticket', { title: 'Ambiguity', requestorEmail: 'a@example.com' });
      const ambiguous = await fails(client, 'assign_ticket', { id: t.id, assignedAgentId: 'SAM' }, 'AMBIGUOUS');
      expect(ambiguous.candidates).toHaveLength(2);
      const stale = await fails(client, 'update_ticket', { id: t.id, title: 'y', expectedVersion: 3 }, 'CONFLICT');
      expect(stale.details).toEqual({ currentVersion: 1 });
      const early = await fails(client, 'set_ticket_status', { id: t.id, status: 'closed' }, 'INVALID_TRANSITION');
      expect(early.details).toEqual({ currentStatus: 'open', allowedStatuses: ['pending'] });
      await ok(client, 'assign_ticket', { id: t.id, assignedAgentId: 'sam1@example.com' });
      const held = await fails(client, 'takeover', { id: t.id }, 'CONFLICT');
      expect(held.details).toEqual({ holder: { id: expect.any(String), name: 'Sam', email: 'sam1@example.com' } });
    });

    it('hides an internal fault behind INTERNAL, without a stack trace', async () => {
      const broken = { ...service, listTags: () => Promise.reject(new Error('disk on fire at /secret/path')) } as unknown as TicketService;
      const faulty = await connectInMemory(broken, caller);
      const error = await fails(faulty, 'list_tags', {}, 'INTERNAL');
      expect(JSON.stringify(error)).not.toContain('secret');
      expect(JSON.stringify(error)).not.toMatch(/:\d+:\d+/);
      await faulty.close();
    });
  });
});
