import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_LINKS_PER_TICKET } from '../src/domain/queue.js';
import { describeEngines, openEngineService } from './engines.js';
import { call, connectInMemory, fails, ok } from './helpers.js';

/** Links between tickets through a real SDK client: both sides, their events and versions, refusals, follow-ups. */
describeEngines('ticket links', (kind) => {
  let client: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openEngineService(kind);
    close = opened.close;
    client = await connectInMemory(opened.service, opened.caller);
  });

  afterAll(async () => {
    await client.close();
    await close();
  });

  const create = (title: string) => ok(client, 'create_ticket', { title, requestorEmail: 'links@example.com' });
  const lastEvent = async (id: string) => (await ok(client, 'get_ticket_history', { id })).events.at(-1);

  it('shows a link on both tickets, named from each side, as an event and a new version of each', async () => {
    const a = await create('Database down');
    const b = await create('Reports fail');
    const linked = await call(client, 'link_tickets', { id: a.ticketIdentifier, relatedId: b.id, type: 'blocks' });
    expect(linked.message).toBe(`Linked: ${a.ticketIdentifier} blocks ${b.ticketIdentifier} (both tickets got a new version).`);
    expect(linked.data).toMatchObject({ id: a.id, version: 2, links: [{ link: 'blocks', key: b.ticketIdentifier, title: 'Reports fail', status: 'open' }] });
    const other = await ok(client, 'get_ticket', { id: b.id });
    expect(other).toMatchObject({ version: 2, links: [{ link: 'blocked by', key: a.ticketIdentifier, title: 'Database down' }] });
    expect(await lastEvent(a.id)).toMatchObject({ type: 'linked', version: 2, details: { link: 'blocks', key: b.ticketIdentifier } });
    const page = await client.readResource({ uri: `ticket://${b.ticketIdentifier}` });
    expect((page.contents[0] as { text: string }).text).toContain(`- Links: blocked by ${a.ticketIdentifier}\n`);
    expect(await lastEvent(b.id)).toMatchObject({ type: 'linked', version: 2, details: { link: 'blocked by', key: a.ticketIdentifier } });

    const again = await call(client, 'link_tickets', { id: a.id, relatedId: b.id, type: 'blocks' });
    expect(again.message).toBe(`Already linked: ${a.ticketIdentifier} blocks ${b.ticketIdentifier}; nothing changed.`);
    expect(again.data.version).toBe(2);
    const reverse = await fails(client, 'link_tickets', { id: b.id, relatedId: a.id, type: 'blocks' }, 'VALIDATION_ERROR');
    expect(reverse.message).toContain('cannot also run the other way');
    // relates_to reads the same both ways: the reverse is the same link.
    await ok(client, 'link_tickets', { id: b.id, relatedId: a.id, type: 'relates_to' });
    expect((await call(client, 'link_tickets', { id: a.id, relatedId: b.id, type: 'relates_to' })).message).toContain('Already linked');
    expect((await ok(client, 'get_ticket', { id: a.id })).links.map((l: any) => l.link)).toEqual(['blocks', 'relates to']);

    const unlinked = await call(client, 'unlink_tickets', { id: b.id, relatedId: a.id, type: 'blocks' });
    expect(unlinked.message).toBe(`Unlinked: ${a.ticketIdentifier} no longer blocks ${b.ticketIdentifier}.`);
    expect(unlinked.data.links).toEqual([{ link: 'relates to', key: a.ticketIdentifier, title: 'Database down', status: 'open' }]);
    expect(await lastEvent(a.id)).toMatchObject({ type: 'unlinked', version: 4, details: { link: 'blocks', key: b.ticketIdentifier } });
    expect(await lastEvent(b.id)).toMatchObject({ type: 'unlinked', version: 4, details: { link: 'blocked by', key: a.ticketIdentifier } });
    expect((await call(client, 'unlink_tickets', { id: a.id, relatedId: b.id, type: 'blocks' })).message).toContain('nothing changed');
  });

  it('refuses a blocks link that closes a longer cycle, which would leave every ticket on it out of the queue', async () => {
    const [a, b, c] = [await create('Cycle A'), await create('Cycle B'), await create('Cycle C')];
    await ok(client, 'link_tickets', { id: a.id, relatedId: b.id, type: 'blocks' });
    await ok(client, 'link_tickets', { id: b.id, relatedId: c.id, type: 'blocks' });
    const cycle = await fails(client, 'link_tickets', { id: c.id, relatedId: a.id, type: 'blocks' }, 'VALIDATION_ERROR');
    expect(cycle.message).toBe(
      `${a.ticketIdentifier} already blocks ${c.ticketIdentifier} through other tickets; ${c.ticketIdentifier} blocks ${a.ticketIdentifier} would make a cycle that none of them could leave. Nothing was linked.`,
    );
    expect((await ok(client, 'get_ticket', { id: c.id })).version).toBe(2);
    // Another type may run that way; and once the chain is broken the link is allowed.
    await ok(client, 'link_tickets', { id: c.id, relatedId: a.id, type: 'relates_to' });
    await ok(client, 'unlink_tickets', { id: a.id, relatedId: b.id, type: 'blocks' });
    expect((await call(client, 'link_tickets', { id: c.id, relatedId: a.id, type: 'blocks' })).message).toContain('Linked:');
  });

  it('refuses a self-link, a deleted ticket, an unknown type, a stale version and a ticket over its link bound', async () => {
    const a = await create('Self');
    expect((await fails(client, 'link_tickets', { id: a.id, relatedId: a.ticketIdentifier, type: 'relates_to' }, 'VALIDATION_ERROR')).message).toContain(
      'cannot be linked to itself',
    );
    await fails(client, 'link_tickets', { id: a.id, relatedId: 'SUP-9999', type: 'relates_to' }, 'NOT_FOUND');
    await fails(client, 'link_tickets', { id: a.id, relatedId: 'SUP-1', type: 'parent_of' }, 'VALIDATION_ERROR');
    const gone = await create('Gone');
    await ok(client, 'delete_ticket', { id: gone.id, confirm: true });
    await fails(client, 'link_tickets', { id: a.id, relatedId: gone.id, type: 'relates_to' }, 'INVALID_TRANSITION');
    const stale = await fails(client, 'link_tickets', { id: a.id, relatedId: 'SUP-1', type: 'relates_to', expectedVersion: 7 }, 'CONFLICT');
    expect(stale.details).toEqual({ currentVersion: 1 });

    const hub = await create('Hub');
    for (let i = 0; i < MAX_LINKS_PER_TICKET; i++) {
      await ok(client, 'link_tickets', { id: hub.id, relatedId: (await create(`Spoke ${i}`)).id, type: 'relates_to' });
    }
    const full = await fails(client, 'link_tickets', { id: a.id, relatedId: hub.id, type: 'relates_to' }, 'VALIDATION_ERROR');
    expect(full.details).toEqual({ maxLinks: MAX_LINKS_PER_TICKET });
  });

  it('creates a follow-up of a closed ticket, linked and recorded on both, and names followUpOf when a closed ticket is changed', async () => {
    const old = await create('Login broken');
    await ok(client, 'takeover', { id: old.id });
    await ok(client, 'complete_ticket', { id: old.id });
    const closed = await ok(client, 'set_ticket_status', { id: old.id, status: 'closed' });
    const reopen = await fails(client, 'set_ticket_status', { id: old.id, status: 'open' }, 'INVALID_TRANSITION');
    expect(reopen.hint).toBe(`If the issue needs more work, create a follow-up: create_ticket with followUpOf: "${old.ticketIdentifier}".`);
    const edit = await fails(client, 'update_ticket', { id: old.id, title: 'x' }, 'INVALID_TRANSITION');
    expect(edit.hint).toContain('followUpOf');

    const follow = await call(client, 'create_ticket', { title: 'Login broken again', requestorEmail: 'kim@example.com', followUpOf: old.ticketIdentifier });
    expect(follow.message).toContain(`, following up ${old.ticketIdentifier}.`);
    expect(follow.data.version).toBe(1);
    expect((await ok(client, 'get_ticket', { id: follow.data.id })).links).toEqual([
      { link: 'follows up', key: old.ticketIdentifier, title: 'Login broken', status: 'closed' },
    ]);
    const followed = await ok(client, 'get_ticket', { id: old.id });
    expect(followed).toMatchObject({ status: 'closed', version: closed.version + 1 });
    expect(followed.links).toEqual([{ link: 'followed up by', key: follow.data.ticketIdentifier, title: 'Login broken again', status: 'open' }]);
    expect((await ok(client, 'get_ticket_history', { id: follow.data.id })).events.map((e: any) => [e.type, e.version])).toEqual([
      ['created', 1],
      ['linked', 1],
    ]);
    expect(await lastEvent(old.id)).toMatchObject({ type: 'linked', details: { link: 'followed up by', key: follow.data.ticketIdentifier } });
    await fails(client, 'create_ticket', { title: 'x', requestorEmail: 'kim@example.com', followUpOf: 'SUP-9999' }, 'NOT_FOUND');
  });
});
