import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../src/service/context.js';
import type { TicketService } from '../src/service/service.js';
import { call, connectInMemory, fails, ok, openService, spawnServer, tempDir, type SpawnedServer } from './helpers.js';

/**
 * Reference lists (team members, an agent's teams) through the built bin: bounded at 100,
 * resolved in one query outside the write lock, so a second process's writes go on while
 * the largest lists are sent. Then who may change whom, through a real client per agent.
 */
const { dir, cleanup } = tempDir();
const running: SpawnedServer[] = [];
let first: Client;
let second: Client;

const AGENTS = 100;
const emailOf = (i: number) => `member${i}@example.com`;

beforeAll(async () => {
  const db = join(dir, 'directory.db');
  running.push(
    ...(await Promise.all([
      spawnServer(['--db', db, '--log-level', 'error']),
      spawnServer(['--db', db, '--log-level', 'error', '--actor', 'writer@example.com']),
    ])),
  );
  [first, second] = running.map((server) => server.client) as [Client, Client];
  for (let i = 0; i < AGENTS; i++) await ok(first, 'create_agent', { name: `Member ${i}`, email: emailOf(i), kind: 'ai' });
}, 30_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.client.close()));
  cleanup();
});

describe('reference lists', () => {
  it('refuses a list past 100 items before any work, naming the field and the bound', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => emailOf(i % AGENTS));
    const teams = Array.from({ length: 101 }, () => 'SUP');
    const cases: [string, Record<string, unknown>, string][] = [
      ['create_team', { name: 'Crowd', identifier: 'CRWD', members: tooMany }, 'members'],
      ['create_agent', { name: 'Joiner', email: 'joiner@example.com', teams }, 'teams'],
      ['update_agent', { id: emailOf(0), addTeams: teams }, 'addTeams'],
      ['update_agent', { id: emailOf(0), removeTeams: teams }, 'removeTeams'],
    ];
    for (const [tool, args, field] of cases) {
      const error = await fails(first, tool, args, 'VALIDATION_ERROR');
      expect(error.message).toContain(`\`${field}\` must have at most 100 items`);
    }
    // 20,000 references: before the bound, they were resolved one query each inside the
    // write lock (≈0.3 s) and then overflowed SQLite's variables: INTERNAL.
    const huge = Array.from({ length: 20_000 }, (_, i) => emailOf(i % AGENTS));
    expect((await fails(first, 'create_team', { name: 'Huge', identifier: 'HUGE', members: huge }, 'VALIDATION_ERROR')).message).toContain(
      '`members` must have at most 100 items',
    );
    const listed = await ok(first, 'list_teams', { pageSize: 100 });
    expect(listed.teams.map((t: { identifier: string }) => t.identifier)).toEqual(['SUP']);
    expect((await ok(first, 'list_agents', { search: 'joiner' })).agents).toEqual([]);
  });

  it('is bounded in the service too, for callers other than the tools', async () => {
    const { service, caller } = await openService(join(dir, 'service-bound.db'));
    try {
      const refused = service.createTeam(caller, { name: 'Crowd', identifier: 'CRWD', members: Array.from({ length: 101 }, () => 'Assistant') });
      await expect(refused).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: '`members` must have at most 100 items, not 101.' });
      const team = await service.createTeam(caller, { name: 'Crowd', identifier: 'CRWD', members: Array.from({ length: 100 }, () => 'Assistant') });
      expect(team.data.members).toEqual(['Assistant <assistant@ticket-mcp.local>']);
    } finally {
      await service.close();
    }
  });

  it('takes 100 items at the bound, each agent once however it is written', async () => {
    const members = Array.from({ length: 90 }, (_, i) => emailOf(i));
    const agent0 = (await ok(first, 'list_agents', { search: emailOf(0) })).agents[0];
    // Ten repeats: the same email in other case, the name, the id, and padded text.
    members.push(emailOf(1).toUpperCase(), 'member 2', agent0.id, ` ${emailOf(3)} `, 'MEMBER 4', emailOf(5), emailOf(6), 'Member 7', emailOf(8), emailOf(9));
    expect(members).toHaveLength(100);
    const team = await ok(first, 'create_team', { name: 'Everyone', identifier: 'ALL', members });
    expect(team.members).toHaveLength(90);
    expect(new Set(team.members).size).toBe(90);
    const joined = await ok(first, 'update_agent', { id: emailOf(95), addTeams: ['ALL', 'all', 'Everyone', team.id, 'SUP'] });
    expect(joined.teams).toEqual(['ALL', 'SUP']);
    const created = await ok(first, 'create_agent', { name: 'Newcomer', email: 'new@example.com', kind: 'ai', teams: ['sup', 'Support', 'ALL'] });
    expect(created.teams).toEqual(['ALL', 'SUP']);
    expect((await ok(first, 'update_agent', { id: 'new@example.com', removeTeams: ['ALL', 'Everyone'] })).teams).toEqual(['SUP']);
  });

  it('names an unknown or ambiguous reference in a list, with candidates', async () => {
    await ok(first, 'create_agent', { name: 'Sam Lee', email: 'sam1@example.com', kind: 'ai' });
    await ok(first, 'create_agent', { name: 'sam lee', email: 'sam2@example.com', kind: 'ai' });
    const ambiguous = await fails(first, 'create_team', { name: 'Sams', identifier: 'SAMS', members: [emailOf(1), 'Sam Lee'] }, 'AMBIGUOUS');
    expect(ambiguous.candidates?.map((c) => c.email).sort()).toEqual(['sam1@example.com', 'sam2@example.com']);
    const missing = await fails(first, 'create_team', { name: 'Sams', identifier: 'SAMS', members: [emailOf(1), 'ember 42'] }, 'NOT_FOUND');
    expect(missing.message).toBe('No agent "ember 42" in this workspace.');
    expect(missing.candidates?.map((c) => c.email)).toEqual([emailOf(42)]);
    const noTeam = await fails(first, 'update_agent', { id: emailOf(1), addTeams: ['SUP', 'NOPE'] }, 'NOT_FOUND');
    expect(noTeam.message).toBe('No team "NOPE" in this workspace.');
    expect(noTeam.candidates?.map((c) => c.name)).toContain('SUP (Support)');
    expect((await ok(first, 'list_teams', { pageSize: 100 })).teams.map((t: { identifier: string }) => t.identifier)).not.toContain('SAMS');
  });

  it("keeps a second process's writes going while the largest lists are sent", async () => {
    const largest = Array.from({ length: 100 }, (_, i) => emailOf(i));
    const overTheBound = Array.from({ length: 20_000 }, (_, i) => emailOf(i % AGENTS));
    let sending = true;
    const latencies: number[] = [];
    const writer = (async () => {
      for (let i = 0; sending || i < 20; i++) {
        const started = performance.now();
        await ok(second, 'create_ticket', { title: `Written meanwhile ${i}`, requestorEmail: 'meanwhile@example.com' });
        latencies.push(performance.now() - started);
      }
    })();
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await call(first, 'create_team', { name: `Large ${i}`, identifier: `LRG${i}`, members: largest }));
      answers.push(await call(first, 'create_team', { name: `Over ${i}`, identifier: `OVR${i}`, members: overTheBound }));
    }
    sending = false;
    await writer;
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 0));
    expect(answers.filter((a) => a.status).every((a) => a.data.members.length === 100)).toBe(true);
    expect(answers.filter((a) => !a.status).every((a) => a.error?.code === 'VALIDATION_ERROR')).toBe(true);
    // A sanity bound, not a latency target: no write waited on a long-held lock.
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });
});

describe('who may change whom', () => {
  let service: TicketService;
  let assistant: Client;
  let human: Client;
  let bot: Client;
  let callers: Record<'assistant' | 'human' | 'bot', Caller>;

  beforeAll(async () => {
    const opened = await openService(join(dir, 'rules.db'));
    service = opened.service;
    const hana = await service.createAgent(opened.caller, { name: 'Hana Lead', email: 'hana@example.com', kind: 'human' });
    const robo = await service.createAgent(opened.caller, { name: 'Robo', email: 'robo@example.com', kind: 'ai' });
    await service.createAgent(opened.caller, { name: 'Priya Shah', email: 'priya@example.com', kind: 'human' });
    callers = {
      assistant: opened.caller,
      human: { workspaceId: opened.caller.workspaceId, agentId: hana.data.id },
      bot: { workspaceId: opened.caller.workspaceId, agentId: robo.data.id },
    };
    [assistant, human, bot] = await Promise.all([
      connectInMemory(service, callers.assistant),
      connectInMemory(service, callers.human),
      connectInMemory(service, callers.bot),
    ]);
  });

  afterAll(async () => {
    await Promise.all([assistant, human, bot].map((c) => c.close()));
    await service.close();
  });

  it("refuses an AI agent a human's name, email and active state, and anyone's kind, but not their teams", async () => {
    for (const change of [{ active: false }, { name: 'Hana L.' }, { email: 'hana@elsewhere.example' }]) {
      const error = await fails(assistant, 'update_agent', { id: 'hana@example.com', ...change }, 'FORBIDDEN');
      expect(error.message).toMatch(/^An AI agent cannot change a human agent's (active state|name|email); Hana Lead <hana@example.com> is human\.$/);
      expect(error.hint).toContain('Ask a human agent');
    }
    const kind = await fails(bot, 'update_agent', { id: 'robo@example.com', kind: 'human' }, 'FORBIDDEN');
    expect(kind.message).toBe("An AI agent cannot change an agent's kind; Robo <robo@example.com> stays ai.");
    await fails(assistant, 'update_agent', { id: 'priya@example.com', kind: 'ai' }, 'FORBIDDEN');
    // Team memberships steer routing only, and a value that does not change is no change.
    expect((await ok(assistant, 'update_agent', { id: 'hana@example.com', addTeams: ['SUP'], active: true, name: 'Hana Lead' })).teams).toEqual(['SUP']);
    const hana = (await ok(human, 'list_agents', { search: 'hana' })).agents[0];
    expect(hana).toMatchObject({ name: 'Hana Lead', email: 'hana@example.com', active: true, kind: 'human' });
  });

  it('lets an AI agent deactivate another AI, and a human change anyone', async () => {
    expect((await ok(bot, 'update_agent', { id: 'Assistant', active: false })).active).toBe(false);
    expect((await ok(human, 'update_agent', { id: 'Assistant', active: true })).active).toBe(true);
    expect(await ok(human, 'update_agent', { id: 'priya@example.com', name: 'Priya S.', active: false })).toMatchObject({ name: 'Priya S.', active: false });
    expect((await ok(human, 'update_agent', { id: 'robo@example.com', kind: 'human' })).kind).toBe('human');
    expect((await ok(human, 'update_agent', { id: 'robo@example.com', kind: 'ai' })).kind).toBe('ai');
  });

  it('refuses anyone deactivating themselves', async () => {
    for (const [client, me] of [
      [human, 'hana@example.com'],
      [bot, 'Robo'],
    ] as const) {
      const error = await fails(client, 'update_agent', { id: me, active: false }, 'FORBIDDEN');
      expect(error.message).toBe('You cannot deactivate yourself, the agent making this call: your own keys would stop working.');
      expect(error.hint).toContain('Ask another agent');
    }
  });

  it('refuses deactivating the last active agent of the workspace', async () => {
    // Robo then acts while deactivated, as a stdio session keeps acting as its agent.
    await ok(human, 'update_agent', { id: 'Assistant', active: false });
    await ok(human, 'update_agent', { id: 'robo@example.com', active: false });
    expect((await ok(human, 'list_agents')).agents.map((a: { name: string }) => a.name)).toEqual(['Hana Lead']);
    // Robo made human, so that only the last-agent rule stands in the way.
    await ok(human, 'update_agent', { id: 'robo@example.com', kind: 'human' });
    const error = await fails(bot, 'update_agent', { id: 'hana@example.com', active: false }, 'FORBIDDEN');
    expect(error.message).toBe('Hana Lead <hana@example.com> is the last active agent of this workspace; deactivating them would leave nobody to act.');
    expect(error.hint).toContain('Create or reactivate another agent first');
    expect((await ok(human, 'list_agents')).agents.map((a: { name: string }) => a.name)).toEqual(['Hana Lead']);
  });
});
