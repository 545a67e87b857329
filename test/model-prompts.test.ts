import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptFigures, runModelPrompts, type Call, type PromptRun } from '../bench/model-prompts.js';
import { spawnServer, tempDir, type SpawnedServer } from './helpers.js';

/**
 * The 28 everyday prompts, as a model would call them, through the real SDK client and the
 * built bin over stdio (bench/model-prompts.ts, which `npm run bench` measures too). Steps
 * that need a tool or argument not built yet are skipped only while tools/list lacks it.
 */
const { dir, cleanup } = tempDir();
const db = join(dir, 'prompts.db');
const servers: SpawnedServer[] = [];
let run: PromptRun;

const serve = async (actor: string) => {
  const server = await spawnServer(['--db', db, '--actor', actor], { HOME: dir });
  servers.push(server);
  return server.client;
};

beforeAll(async () => {
  run = await runModelPrompts(await serve('claude@acme.example'), () => serve('priya@acme.example'));
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.client.close();
  cleanup();
});

const callsOf = (prompt: string): Call[] => run.calls.filter((c) => c.prompt.startsWith(`${prompt} `));
const outcome = (c: Call) => (c.envelope.status ? 'ok' : c.envelope.error!.code);

describe('the 28 everyday prompts', () => {
  it('serves each prompt that can run: successes where the model acts, the expected refusals where it cannot', () => {
    const failed = run.calls.filter((c) => !c.envelope.status).map((c) => `${c.prompt}: ${c.tool} ${c.envelope.error!.code}`);
    expect(failed).toEqual([
      '19 assign to Sam (no Sam): assign_ticket NOT_FOUND',
      '20 a second Priya Shah: assign_ticket AMBIGUOUS',
      '21 one ticket per chat: create_ticket CONFLICT',
      '22 Tom leaves, Otto takes his work: update_agent FORBIDDEN',
    ]);
  });

  it('finds the queue a model asks for in one call each', () => {
    expect(callsOf('6')[0]!.envelope.data.tickets.map((t: any) => t.key)).toEqual(['BIL-1']);
    const plate = callsOf('8')[0]!;
    expect(plate.envelope.message).toContain('assigned to Priya Shah <priya@acme.example>');
    expect(plate.envelope.data.tickets.map((t: any) => t.key)).toEqual(['ENG-1']);
    // Only the invoice ticket had a due date, and prompt 15 moved it to 2026-12-04.
    expect(callsOf('24')[0]!.envelope.data.tickets).toEqual([]);
  });

  it('says what each change did, old → new', () => {
    expect(callsOf('5')[0]!.envelope.message).toBe('Ticket ENG-1: assigned Otto → Priya Shah <priya@acme.example>; status open → pending.');
    expect(callsOf('15')[0]!.envelope.message).toBe('Ticket BIL-1: priority High → Urgent; due 2026-12-01 17:00 UTC → 2026-12-04.');
    expect(callsOf('27')[0]!.envelope.message).toBe('Ticket ENG-2: assigned Priya Shah → nobody.');
    expect(callsOf('20').map(outcome)).toEqual(['ok', 'AMBIGUOUS', 'ok']);
  });

  it('skips a step only while tools/list lacks what it needs', async () => {
    const listed = (await servers[0]!.client.listTools()).tools;
    for (const { needs } of run.skipped) {
      const [tool, arg] = needs.split('.');
      const offered = listed.find((t) => t.name === tool);
      expect(offered && (arg === undefined || arg in (offered.inputSchema.properties ?? {})), needs).toBeFalsy();
    }
  });

  it('keeps answers small: a ticket change ≤ 700 bytes at the median, the run ≥ 40% under the first version', () => {
    const figures = promptFigures(run);
    expect(figures.changes).toBeGreaterThanOrEqual(15);
    expect(figures.medianChangeBytes).toBeLessThanOrEqual(700);
    expect(figures.answerBytes).toBeLessThanOrEqual(110_006 * 0.6);
    for (const c of run.calls.filter((c) => c.changedTicket)) expect(Object.values(c.envelope.data)).not.toContain(null);
  });
});
