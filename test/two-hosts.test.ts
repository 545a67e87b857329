import { spawnSync } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngineDatabase, type EngineDatabase } from './engines.js';
import { CLI, call, ok, tempDir, type AnyEnvelope } from './helpers.js';
import { describePg } from './pg.js';
import { connectHttp, newKey, serveHttp, stop, type ServedHttp } from './serve.js';

/**
 * Two hosts of a team: two `serve --http` processes of the built bin, on different ports,
 * on one PostgreSQL database, with agents split between them. Nothing but the database
 * is shared, so the per-team counter, the row locks and the unique indexes must give the
 * same guarantees as one process: no gap or duplicate key, one takeover winner, one ticket
 * per idempotency key.
 */
const AGENTS = 8;
const CREATES_PER_AGENT = 25;
const TAKEOVER_ROUNDS = 20;
const RETRY_ROUNDS = 10;
/** Sends of one idempotency key per host in a retry round. */
const SENDS_PER_HOST = 3;

const { dir, cleanup } = tempDir();
const env = { PATH: process.env.PATH ?? '', HOME: dir };
let database: EngineDatabase;
const hosts: ServedHttp[] = [];
const clients: Client[] = [];
interface Agent {
  email: string;
  host: number;
  client: Client;
}
const agents: Agent[] = [];
const figures: string[] = [];

async function connect(url: string, key: string): Promise<Client> {
  const client = await connectHttp(url, key);
  clients.push(client);
  return client;
}

const expectOnlyConflicts = (answers: AnyEnvelope[]) =>
  expect(answers.filter((a) => !a.status && a.error?.code !== 'CONFLICT').map((a) => `${a.error?.code}: ${a.message}`)).toEqual([]);

describePg('two serve --http hosts on one PostgreSQL database', () => {
  beforeAll(async () => {
    database = await createEngineDatabase('postgres');
    const keys = Array.from({ length: AGENTS }, (_, i) => newKey(database.target, env, '--actor', `agent${i}@example.com`));
    // Both hosts start together, so they also race to migrate under the advisory lock.
    hosts.push(...(await Promise.all([serveHttp(database.target, env), serveHttp(database.target, env)])));
    expect(hosts[0]!.port).not.toBe(hosts[1]!.port);
    for (const [i, key] of keys.entries()) {
      const host = i % hosts.length;
      agents.push({ email: `agent${i}@example.com`, host, client: await connect(hosts[host]!.url, key) });
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(hosts.map(stop));
    await database?.drop();
    cleanup();
    console.log(`two hosts [postgres]: ${figures.join('; ')}`);
  });

  it(`gives ${AGENTS * CREATES_PER_AGENT} concurrent creates from agents on both hosts the keys SUP-1..SUP-${AGENTS * CREATES_PER_AGENT}, no gap, no duplicate`, async () => {
    const total = AGENTS * CREATES_PER_AGENT;
    const started = performance.now();
    const answers = await Promise.all(
      agents.flatMap((agent) =>
        Array.from({ length: CREATES_PER_AGENT }, (_, i) =>
          call(agent.client, 'create_ticket', { title: `${agent.email} ticket ${i}`, requestorEmail: 'load@example.com' }),
        ),
      ),
    );
    const ms = performance.now() - started;
    expectOnlyConflicts(answers);
    expect(answers.every((a) => a.status)).toBe(true);
    const numbers = answers.map((a) => Number((a.data.ticketIdentifier as string).slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    const engine = await database.open();
    const created = await engine.reader.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'created').executeTakeFirstOrThrow();
    const counter = await engine.reader.selectFrom('teams').select('ticket_counter as n').where('identifier', '=', 'SUP').executeTakeFirstOrThrow();
    await engine.close();
    expect(created).toEqual({ n: total });
    expect(counter).toEqual({ n: total });
    figures.push(`${total} creates from ${AGENTS} agents on 2 hosts -> SUP-1..SUP-${total}, no gap or duplicate, in ${Math.round(ms)} ms`);
  });

  it(`lets exactly one of ${AGENTS} agents on both hosts win each takeover race, ${TAKEOVER_ROUNDS} rounds`, async () => {
    const winsPerHost = [0, 0];
    let conflicts = 0;
    for (let round = 0; round < TAKEOVER_ROUNDS; round++) {
      const ticket = await ok(agents[round % AGENTS]!.client, 'create_ticket', { title: `Race ${round}`, requestorEmail: 'race@example.com' });
      const answers = await Promise.all(agents.map((agent) => call(agent.client, 'takeover', { id: ticket.ticketIdentifier })));
      expectOnlyConflicts(answers);
      const winners = agents.filter((_, i) => answers[i]!.status);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]!;
      winsPerHost[winner.host]!++;
      for (const [i, answer] of answers.entries()) {
        if (answer.status) {
          expect(answer.data.assignedAgentEmail).toBe(winner.email);
          continue;
        }
        conflicts++;
        expect(answer.error!.code).toBe('CONFLICT');
        expect(answer.error!.details).toMatchObject({ holder: { email: winner.email } });
        expect(agents[i]!.email).not.toBe(winner.email);
      }
      // Read through the other host than the winner's: the history is the database's, not a host's.
      const reader = agents.find((a) => a.host !== winner.host)!;
      const history = await ok(reader.client, 'get_ticket_history', { id: ticket.id });
      expect(history.events.filter((e: any) => e.type === 'assignment_changed'), `round ${round}`).toHaveLength(1);
    }
    expect(winsPerHost[0]! + winsPerHost[1]!).toBe(TAKEOVER_ROUNDS);
    expect(conflicts).toBe(TAKEOVER_ROUNDS * (AGENTS - 1));
    figures.push(
      `${TAKEOVER_ROUNDS} takeover rounds of ${AGENTS} agents -> 1 winner each (host A ${winsPerHost[0]}, host B ${winsPerHost[1]}), ` +
        `${conflicts} CONFLICTs naming the holder, 1 assignment event per round`,
    );
  });

  it(`answers one idempotency key sent ${SENDS_PER_HOST}x to each host with one ticket and the same answer, ${RETRY_ROUNDS} rounds`, async () => {
    // One agent's key on both hosts, as a client that retries on the other host after a timeout would.
    const [onA, onB] = [agents[0]!, agents.find((a) => a.host !== agents[0]!.host)!];
    const key = newKey(database.target, env, '--actor', 'retrier@example.com');
    const both = [await connect(hosts[onA.host]!.url, key), await connect(hosts[onB.host]!.url, key)];
    const engine = await database.open();
    try {
      for (let round = 0; round < RETRY_ROUNDS; round++) {
        const args = { title: `Retried ${round}`, requestorEmail: 'retry@example.com', idempotencyKey: `retry-${round}` };
        const answers = await Promise.all(both.flatMap((client) => Array.from({ length: SENDS_PER_HOST }, () => call(client, 'create_ticket', args))));
        expectOnlyConflicts(answers);
        expect(answers.every((a) => a.status), `round ${round}`).toBe(true);
        for (const answer of answers) expect(answer.data).toEqual(answers[0]!.data);
        const stored = await engine.reader.selectFrom('tickets').select('id').where('title', '=', args.title).execute();
        expect(stored).toEqual([{ id: answers[0]!.data.id }]);
      }
    } finally {
      await engine.close();
    }
    figures.push(`${RETRY_ROUNDS} keys each sent ${SENDS_PER_HOST * 2}x across both hosts -> 1 ticket and 1 answer per key`);
  });

  it('leaves a database the doctor finds whole', () => {
    const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--db', database.target], { encoding: 'utf8', env });
    expect(doctor.stdout).toMatch(/All \d+ checks passed/);
    expect(doctor.status).toBe(0);
    figures.push('doctor passes');
  });
});
