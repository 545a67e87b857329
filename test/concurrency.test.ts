import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { call, ok, spawnServer, tempDir, type AnyEnvelope, type SpawnedServer } from './helpers.js';

/**
 * Several agent runtimes, each with its own server process, on one database file:
 * nothing lost, nothing claimed twice, and no SQLITE_BUSY reaching a caller.
 */
const { dir, cleanup } = tempDir();
const running: SpawnedServer[] = [];

afterAll(async () => {
  await Promise.all(running.map((s) => s.client.close()));
  cleanup();
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

describe('four or more server processes on one database file', () => {
  it('gives 200 concurrent creates from 4 processes the keys SUP-1..SUP-200, no gap, no duplicate', async () => {
    const db = join(dir, 'creates.db');
    const fleet = await startFleet(db, 4);
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

    const raw = new BetterSqlite3(db, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 200 });
    expect(raw.prepare("SELECT count(*) AS n FROM events WHERE type = 'created'").get()).toEqual({ n: 200 });
    expect(raw.prepare('SELECT ticket_counter AS n FROM teams WHERE identifier = ?').get('SUP')).toEqual({ n: 200 });
    expect(raw.prepare('SELECT count(*) AS n FROM workspaces').get()).toEqual({ n: 1 });
    raw.close();
  });

  it('lets exactly one of 8 agents racing takeover win, 20 rounds in a row', async () => {
    const db = join(dir, 'takeover.db');
    const fleet = await startFleet(db, 8);
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
    const db = join(dir, 'keys.db');
    const fleet = await startFleet(db, 4);
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
