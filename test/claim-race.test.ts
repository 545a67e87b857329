import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, expect, it } from 'vitest';
import { createEngineDatabase, describeEngines, type EngineDatabase } from './engines.js';
import { call, ok, tempDir, type AnyEnvelope } from './helpers.js';
import { connectHttp, newKey, serveHttp, stop, type ServedHttp } from './serve.js';

/**
 * The queue under a race: 8 agents on 4 `serve --http` processes of the built bin, one
 * database, claiming until the queue is empty. Every ticket is claimed exactly once, no
 * claim fails (no CONFLICT, BUSY or fault reaches a caller), and the order holds: when a
 * claim is recorded, no ticket ranked above it is still unclaimed beyond those other
 * agents are claiming at that very moment (none at all on SQLite, whose writes take turns).
 */
const PROCESSES = 4;
const AGENTS = 8;
const TICKETS = 100;
const PRIORITIES = ['Low', 'Medium', 'High', 'Urgent'];

const { dir, cleanup } = tempDir();
const env = { PATH: process.env.PATH ?? '', HOME: dir };
const hosts: ServedHttp[] = [];
const clients: Client[] = [];
const databases: EngineDatabase[] = [];
const figures: string[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(hosts.map(stop));
  for (const database of databases) await database.drop();
  cleanup();
  console.log(`claim race (${AGENTS} agents, ${PROCESSES} processes, ${TICKETS} tickets): ${figures.join('; ')}`);
});

async function connect(url: string, key: string): Promise<Client> {
  const client = await connectHttp(url, key);
  clients.push(client);
  return client;
}

/** Ticket i's priority and due date: every rank distinct, so the order of claims is checkable. */
function ticketSpec(i: number) {
  const day = 86_400_000;
  const due = i % 3 === 0 ? undefined : new Date(Date.now() + ((i * 7) % 50) * day - 10 * day).toISOString();
  return { title: `Queue ${i}`, requestorEmail: 'race@example.com', priorityName: PRIORITIES[i % 4]!, ...(due && { dueDate: due }) };
}

describeEngines('8 agents in 4 processes claiming from one queue', (kind) => {
  it(`claims each of ${TICKETS} tickets exactly once, in order, with no failure reaching a caller`, async () => {
    const database = await createEngineDatabase(kind, 'race.db');
    databases.push(database);
    const keys = Array.from({ length: AGENTS }, (_, i) => newKey(database.target, env, '--actor', `claimer${i}@example.com`));
    const served = await Promise.all(Array.from({ length: PROCESSES }, () => serveHttp(database.target, env)));
    hosts.push(...served);
    const agents = await Promise.all(keys.map((key, i) => connect(served[i % PROCESSES]!.url, key)));

    // The ranking the queue must follow: Urgent first, then due (none last), then creation order.
    const specs = Array.from({ length: TICKETS }, (_, i) => ticketSpec(i));
    const ids: string[] = [];
    for (const spec of specs) ids.push((await ok(agents[0]!, 'create_ticket', spec)).id);
    const rankKey = (i: number) => [-PRIORITIES.indexOf(specs[i]!.priorityName), specs[i]!.dueDate === undefined ? 1 : 0, specs[i]!.dueDate ?? '', i] as const;
    const ranked = ids
      .map((_, i) => i)
      .sort((a, b) => {
        const [x, y] = [rankKey(a), rankKey(b)];
        for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return x[k]! < y[k]! ? -1 : 1;
        return 0;
      });
    const rankOf = new Map(ranked.map((ticket, rank) => [ids[ticket]!, rank]));

    const answers: AnyEnvelope[] = [];
    const started = performance.now();
    await Promise.all(
      agents.map(async (client) => {
        for (;;) {
          const answer = await call(client, 'claim_next_ticket');
          answers.push(answer);
          if (!answer.status || answer.data === null) return;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    expect(answers.filter((a) => !a.status).map((a) => `${a.error?.code}: ${a.message}`)).toEqual([]);
    const claimed = answers.filter((a) => a.data !== null).map((a) => a.data.id as string);
    expect(claimed).toHaveLength(TICKETS);
    expect(new Set(claimed)).toEqual(new Set(ids));
    expect(answers.filter((a) => a.data === null)).toHaveLength(AGENTS);

    // The claims in the order they were recorded (event seq), each checked against the ranking.
    const engine = await database.open();
    const events = await engine.reader
      .selectFrom('events')
      .select(['ticket_id', 'data'])
      .where('type', '=', 'assignment_changed')
      .orderBy('seq')
      .execute();
    await engine.close();
    expect(events).toHaveLength(TICKETS);
    const inFlight = kind === 'sqlite' ? 0 : AGENTS - 1;
    const unclaimed = new Set(ids);
    const overtaken: number[] = [];
    for (const event of events) {
      expect(JSON.parse(event.data)).toMatchObject({ claimed: true, circumstance: 'takeover' });
      const rank = rankOf.get(event.ticket_id)!;
      unclaimed.delete(event.ticket_id);
      overtaken.push([...unclaimed].filter((id) => rankOf.get(id)! < rank).length);
    }
    expect(Math.max(...overtaken)).toBeLessThanOrEqual(inFlight);
    figures.push(`${kind} ${seconds.toFixed(2)} s, ${(TICKETS / seconds).toFixed(0)} claims/s, at most ${Math.max(...overtaken)} higher-ranked ticket(s) in flight`);
  });
});
