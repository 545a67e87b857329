import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketService } from '../src/service/service.js';
import { connectInMemory, ok, openService, tempDir } from './helpers.js';

/** The ticket resource template, the prompts, and completion of their arguments. */
const { dir, cleanup } = tempDir();
let service: TicketService;
let client: Client;

beforeAll(async () => {
  const opened = await openService(join(dir, 'resources.db'));
  service = opened.service;
  client = await connectInMemory(service, opened.caller);
  await ok(client, 'create_team', { name: 'Engineering', identifier: 'ENG' });
  await ok(client, 'create_ticket', { title: 'Checkout returns 500', requestorEmail: 'ops@example.com', teamId: 'ENG', description: 'Since the deploy at 09:00.' });
  for (let i = 0; i < 12; i++) await ok(client, 'create_ticket', { title: `Queue item ${i}`, requestorEmail: 'q@example.com' });
  await ok(client, 'takeover', { id: 'ENG-1' });
  await ok(client, 'add_comment', { id: 'ENG-1', body: 'Rolled back the deploy.', internal: true });
  await ok(client, 'add_tag', { ticketId: 'ENG-1', tagId: 'outage' });
});

afterAll(async () => {
  await client.close();
  await service.close();
  cleanup();
});

describe('ticket://{key}', () => {
  it('is listed as a template', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: 'ticket://{key}', name: 'ticket', mimeType: 'text/markdown' })]);
  });

  it('reads as text: facts, comments and history', async () => {
    const { contents } = await client.readResource({ uri: 'ticket://eng-1' });
    expect(contents).toHaveLength(1);
    const text = (contents[0] as { text: string }).text;
    expect(text).toMatch(/^# ENG-1: Checkout returns 500\n/);
    expect(text).toContain('- Status: pending · next: open, resolved');
    expect(text).toContain('- Tags: outage');
    expect(text).toContain('Since the deploy at 09:00.');
    expect(text).toMatch(/### Internal note by Assistant at \S+\n\n```text\nRolled back the deploy\.\n```/);
    expect(text).toMatch(/v2 Assistant: assigned nobody → Assistant \(takeover\)/);
    expect(text).toMatch(/v2 Assistant: status open → pending/);
  });

  it('answers a missing ticket with resource-not-found', async () => {
    await expect(client.readResource({ uri: 'ticket://ENG-99' })).rejects.toMatchObject({ code: -32002 });
  });

  it('completes keys from real tickets', async () => {
    const complete = (value: string) =>
      client.complete({ ref: { type: 'ref/resource', uri: 'ticket://{key}' }, argument: { name: 'key', value } }).then((r) => r.completion.values);
    expect(await complete('EN')).toEqual(['ENG-1']);
    expect(await complete('sup-1')).toEqual(expect.arrayContaining(['SUP-1', 'SUP-10', 'SUP-11', 'SUP-12']));
    expect((await complete('sup-1')).every((k) => k.startsWith('SUP-1'))).toBe(true);
    expect(await complete('XYZ')).toEqual([]);
  });
});

describe('prompts', () => {
  it('lists triage_ticket and queue_summary with their arguments', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => [p.name, p.arguments?.map((a) => a.name)])).toEqual([
      ['triage_ticket', ['id']],
      ['queue_summary', ['team']],
    ]);
  });

  it('triage_ticket embeds the ticket and says which tools to use', async () => {
    const { messages } = await client.getPrompt({ name: 'triage_ticket', arguments: { id: 'ENG-1' } });
    const text = (messages[0]!.content as { text: string }).text;
    expect(text).toContain('update_ticket');
    expect(text).toContain('# ENG-1: Checkout returns 500');
  });

  it('queue_summary lists the team’s live tickets, oldest first', async () => {
    const { messages } = await client.getPrompt({ name: 'queue_summary', arguments: { team: 'SUP' } });
    const text = (messages[0]!.content as { text: string }).text;
    expect(text).toContain('12 open or pending tickets');
    expect(text.indexOf('SUP-1 ')).toBeLessThan(text.indexOf('SUP-12 '));
  });

  it('completes their arguments', async () => {
    const complete = (name: string, argument: string, value: string) =>
      client.complete({ ref: { type: 'ref/prompt', name }, argument: { name: argument, value } }).then((r) => r.completion.values);
    expect(await complete('queue_summary', 'team', 'e')).toEqual(['ENG']);
    expect(await complete('triage_ticket', 'id', 'ENG')).toEqual(['ENG-1']);
  });

  it('refuses a prompt for a ticket that does not exist', async () => {
    await expect(client.getPrompt({ name: 'triage_ticket', arguments: { id: 'NOPE-1' } })).rejects.toMatchObject({ code: -32002 });
  });
});
