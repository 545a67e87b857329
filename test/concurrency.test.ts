import { afterAll, expect, it } from 'vitest';
import { createEngineDatabase, describeEngines, type EngineDatabase } from './engines.js';
import { call, ok, spawnServer, type AnyEnvelope, type SpawnedServer } from './helpers.js';

/**
 * Several agent runtimes, each with its own server process, on one database (a SQLite file,
 * or PostgreSQL without any global lock): nothing lost, nothing claimed twice, and no
 * engine fault (SQLITE_BUSY, a deadlock, a unique violation) reaching a caller.
 */
const running: SpawnedServer[] = [];
const databases: EngineDatabase[] = [];

afterAll(async () => {
  await Promise.all(running.map((s) => s.client.close()));
  for (const database of databases) await database.drop();
});

/** N servers started at the same moment on a new file, so they also race to migrate and seed it. */
async function startFleet(db: string, count: number): Promise<SpawnedServer[]> {
  const fleet = await Promise.all(
    Array.from({ length: count }, (_, i) => spawnServer(['--db', db, '--actor', `agent${i}@example.com`])),
  );
  running.push(...fleet);
  return fleet;
}

const expectNoInternalErrors = (answers: AnyEnvelope[]) => {
  const unexpected = answers.filter((a) => !a.status && a.error?.code !== 'CONFLICT');
  expect(unexpected.map((a) => a.message)).toEqual([]);
};

describeEngines('four or more server processes on one database', (kind) => {
  const database = async (name: string) => {
    const created = await createEngineDatabase(kind, name);
    databases.push(created);
    return created;
  };

  it('gives 200 concurrent creates from 4 processes the keys SUP-1..SUP-200, no gap, no duplicate', async () => {
    const db = await database('creates.db');
    const fleet = await startFleet(db.target, 4);
    const answers = await Promise.all(
      fleet.flatMap((server, p) =>
        Array.from({ length: 50 }, (_, i) =>
          call(server.client, 'create_ticket', { title: `process ${p} ticket ${i}`, requestorEmail: 'load@example.com' }),
        ),
      ),
    );
    expectNoInternalErrors(answers);
    expect(answers.every((a) => a.status)).toBe(true);
    const keys = answers.map((a) => a.data.ticketIdentifier as string);
    expect(new Set(keys).size).toBe(200);
    expect([...keys].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))).toEqual(
      Array.from({ length: 200 }, (_, i) => `SUP-${i + 1}`),
    );

    const engine = await db.open();
    const count = (table: 'tickets' | 'workspaces') =>
      engine.reader.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(await count('tickets')).toEqual({ n: 200 });
    expect(await count('workspaces')).toEqual({ n: 1 });
    const created = engine.reader.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'created');
    expect(await created.executeTakeFirstOrThrow()).toEqual({ n: 200 });
    expect(await engine.reader.selectFrom('teams').select('ticket_counter as n').where('identifier', '=', 'SUP').executeTakeFirstOrThrow()).toEqual({ n: 200 });
    await engine.close();
  });

  it('lets exactly one of 8 agents racing takeover win, 20 rounds in a row', async () => {
    const fleet = await startFleet((await database('takeover.db')).target, 8);
    const emails = fleet.map((_, i) => `agent${i}@example.com`);
    const wins = new Map<string, number>();
    for (let round = 0; round < 20; round++) {
      const ticket = await ok(fleet[round % fleet.length]!.client, 'create_ticket', {
        title: `Race ${round}`,
        requestorEmail: 'race@example.com',
      });
      const answers = await Promise.all(fleet.map((server) => call(server.client, 'takeover', { id: ticket.ticketIdentifier })));
      expectNoInternalErrors(answers);
      const winners = answers.filter((a) => a.status);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]!.data.assignedAgentEmail as string;
      expect(emails).toContain(winner);
      wins.set(winner, (wins.get(winner) ?? 0) + 1);
      for (const [i, answer] of answers.entries()) {
        if (answer.status) continue;
        expect(answer.error!.code).toBe('CONFLICT');
        expect(answer.error!.details).toMatchObject({ holder: { email: winner } });
        expect(emails[i]).not.toBe(winner);
      }
      const history = await ok(fleet[0]!.client, 'get_ticket_history', { id: ticket.id });
      expect(history.events.filter((e: any) => e.type === 'assignment_changed')).toHaveLength(1);
      expect(history.events.filter((e: any) => e.type === 'status_changed')).toHaveLength(1);
    }
    expect([...wins.values()].reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('creates one ticket for one idempotency key and one live ticket per chat, across processes', async () => {
    const fleet = await startFleet((await database('keys.db')).target, 4);
    const sameKey = await Promise.all(
      fleet.map((s) => call(s.client, 'create_ticket', { title: 'Retry storm', requestorEmail: 'r@example.com', idempotencyKey: 'k-1' })),
    );
    expect(sameKey.every((a) => a.status)).toBe(true);
    expect(new Set(sameKey.map((a) => a.data.id)).size).toBe(1);

    const sameChat = await Promise.all(
      fleet.map((s, i) => call(s.client, 'create_ticket', { title: `Chat ${i}`, requestorEmail: 'c@example.com', chatId: 'chat-1' })),
    );
    expectNoInternalErrors(sameChat);
    expect(sameChat.filter((a) => a.status)).toHaveLength(1);
    expect(sameChat.filter((a) => a.error?.code === 'CONFLICT')).toHaveLength(3);
  });
});
