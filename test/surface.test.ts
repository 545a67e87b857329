import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool as ListedTool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../tools/index.js';
import type { TicketService } from '../src/service/service.js';
import { parseArguments } from '../src/validation.js';
import { connectInMemory, openService, tempDir } from './helpers.js';

/** The tool surface a model sees. A change to it shows in review as a snapshot diff. */
const { dir, cleanup } = tempDir();
let service: TicketService;
let client: Client;
let listed: ListedTool[];

beforeAll(async () => {
  const opened = await openService(join(dir, 'surface.db'));
  service = opened.service;
  client = await connectInMemory(service, opened.caller);
  listed = (await client.listTools()).tools;
});

afterAll(async () => {
  await client.close();
  await service.close();
  cleanup();
});

const READ_ONLY = ['get_ticket', 'list_tickets', 'get_ticket_history', 'list_agents', 'list_teams', 'list_tags'];

describe('tools/list', () => {
  it('matches the reviewed snapshot', async () => {
    await expect(`${JSON.stringify(listed, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/tools-list.json');
  });

  it('offers exactly the tools of the spec, verb first, in snake_case', () => {
    expect(listed.map((t) => t.name)).toEqual([
      'create_ticket',
      'assign_ticket',
      'complete_ticket',
      'add_tag',
      'takeover',
      'get_ticket',
      'list_tickets',
      'update_ticket',
      'set_ticket_status',
      'add_comment',
      'remove_tag',
      'get_ticket_history',
      'delete_ticket',
      'restore_ticket',
      'claim_next_ticket',
      'release_ticket',
      'link_tickets',
      'unlink_tickets',
      'create_agent',
      'update_agent',
      'list_agents',
      'create_team',
      'list_teams',
      'create_tag',
      'update_tag',
      'list_tags',
    ]);
    for (const tool of listed) expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  for (const tool of tools) {
    describe(tool.name, () => {
      const entry = () => listed.find((t) => t.name === tool.name)!;

      it('declares all four annotation hints, consistently', () => {
        const a = entry().annotations!;
        for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
          expect(typeof a[hint], hint).toBe('boolean');
        }
        expect(a.readOnlyHint && a.destructiveHint).toBe(false);
        expect(a.readOnlyHint).toBe(READ_ONLY.includes(tool.name));
        if (a.readOnlyHint) expect(a.idempotentHint).toBe(true);
        expect(a.openWorldHint).toBe(false);
        expect(entry().title).toBeTruthy();
      });

      it('has a short description for the model with an example that is valid input', () => {
        const { description } = entry();
        expect(description!.length).toBeLessThanOrEqual(800);
        const example = /Example: (\{.*\})$/m.exec(description!);
        expect(example, 'an "Example: {...}" line').not.toBeNull();
        expect(() => parseArguments(tool.name, tool.input, JSON.parse(example![1]!))).not.toThrow();
      });

      it('describes every argument and accepts no unknown ones', () => {
        const schema = entry().inputSchema as { properties: Record<string, { description?: string }>; additionalProperties: unknown };
        expect(schema.additionalProperties).toBe(false);
        for (const [name, property] of Object.entries(schema.properties)) {
          expect(property.description, `${tool.name}.${name}`).toBeTruthy();
        }
      });

      it('declares the envelope as its output', () => {
        const schema = entry().outputSchema as { type: string; properties: Record<string, unknown>; required: string[] };
        expect(schema.type).toBe('object');
        expect(Object.keys(schema.properties)).toEqual(['data', 'status', 'message', 'timestamp', 'error']);
        expect(schema.required).toEqual(['data', 'status', 'message', 'timestamp']);
      });
    });
  }

  it('gives short server instructions on takeover versus assign and on references', () => {
    const instructions = client.getInstructions()!;
    expect(instructions.length).toBeLessThan(1000);
    expect(instructions).toContain('takeover');
    expect(instructions).toContain('assign_ticket');
    expect(instructions).toContain('SUP-42');
  });
});
