import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { createEngineDatabase, describeEngines } from './engines.js';
import { CLI, spawnServer, type SpawnedServer } from './helpers.js';

/**
 * Server processes killed with SIGKILL in the middle of a write storm from four
 * processes, cycle after cycle, and restarted: every write a client saw
 * acknowledged must be in the database, and the doctor must find it whole. On SQLite
 * the file's WAL must survive; on PostgreSQL a killed process's open transaction must
 * roll back and free its row locks (the team counter's among them), or the others stall.
 * CRASH_CYCLES sets the cycles (npm run test:stress runs more).
 */
const CYCLES = Number(process.env.CRASH_CYCLES ?? 20);
const WRITERS = 4;

interface Writer {
  server: SpawnedServer;
  running: boolean;
  done: Promise<void>;
}

interface Storm {
  acknowledged: { tickets: Set<string>; comments: Set<string>; completed: Set<string>; cutOffByKill: number };
  /** Error envelopes: each writer works only its own tickets, so every call should succeed. */
  unexpected: string[];
}

/** One writer process: creates, comments, takeovers and completes, two calls in flight, until stopped or killed. */
async function startWriter({ acknowledged, unexpected }: Storm, db: string, n: number, generation: number): Promise<Writer> {
  const server = await spawnServer(['--db', db, '--actor', `writer${n}@example.com`, '--log-level', 'error']);
  const writer: Writer = { server, running: true, done: Promise.resolve() };
  /** The envelope's data, or undefined (recorded as unexpected) when the call failed. */
  const succeed = async <T>(name: string, args: Record<string, unknown>): Promise<T | undefined> => {
    const result = await server.client.callTool({ name, arguments: args });
    const envelope = result.structuredContent as { status: boolean; data: T; error?: { code: string; message: string } };
    if (envelope.status) return envelope.data;
    unexpected.push(`${name}: ${envelope.error?.code} ${envelope.message}`);
    return undefined;
  };
  const loop = async (lane: number) => {
    for (let i = 0; writer.running; i++) {
      try {
        const key = `w${n}.${generation}.${lane}.${i}`;
        const ticket = await succeed<{ id: string; ticketIdentifier: string }>('create_ticket', { title: key, requestorEmail: `w${n}@example.com`, idempotencyKey: key });
        if (!ticket) continue;
        acknowledged.tickets.add(ticket.id);
        const commented = await succeed<{ comment: { id: string } }>('add_comment', { id: ticket.ticketIdentifier, body: `note ${i}` });
        if (commented) acknowledged.comments.add(commented.comment.id);
        await succeed('takeover', { id: ticket.id });
        if (await succeed('complete_ticket', { id: ticket.id, comment: 'done' })) acknowledged.completed.add(ticket.id);
      } catch (error) {
        // Only a kill may cut a call off; anything thrown while the process lives is a failure.
        if (writer.running) unexpected.push(`thrown while alive: ${String(error)}`);
        else acknowledged.cutOffByKill++;
        return;
      }
    }
  };
  writer.done = Promise.all([loop(0), loop(1)]).then(() => undefined);
  return writer;
}

describeEngines('crash safety', (kind) => {
  it(`keeps every acknowledged write through ${CYCLES} SIGKILLs during a four-process write storm`, async () => {
    const database = await createEngineDatabase(kind, 'crash.db');
    const db = database.target;
    const storm: Storm = { acknowledged: { tickets: new Set(), comments: new Set(), completed: new Set(), cutOffByKill: 0 }, unexpected: [] };
    const { acknowledged, unexpected } = storm;
    const writers: Writer[] = [];
    for (let n = 0; n < WRITERS; n++) writers.push(await startWriter(storm, db, n, 0));
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 150));
      const n = cycle % WRITERS;
      const victim = writers[n]!;
      victim.running = false;
      process.kill(victim.server.transport.pid!, 'SIGKILL');
      await victim.done;
      await victim.server.client.close().catch(() => {});
      writers[n] = await startWriter(storm, db, n, cycle);
    }
    for (const writer of writers) writer.running = false;
    await Promise.all(writers.map((w) => w.done));
    await Promise.all(writers.map((w) => w.server.client.close()));

    expect(acknowledged.tickets.size).toBeGreaterThan(CYCLES * 4);
    const engine = await database.open();
    const ids = async (rows: Promise<{ id: string }[]>) => new Set((await rows).map((r) => r.id));
    const stored = await ids(engine.reader.selectFrom('tickets').select('id').execute());
    const storedComments = await ids(engine.reader.selectFrom('comments').select('id').execute());
    const resolved = await ids(engine.reader.selectFrom('tickets').select('id').where('status', '=', 'resolved').execute());
    await engine.close();
    expect(unexpected).toEqual([]);
    const lostTickets = [...acknowledged.tickets].filter((id) => !stored.has(id));
    const lostComments = [...acknowledged.comments].filter((id) => !storedComments.has(id));
    expect(lostTickets).toEqual([]);
    expect(lostComments).toEqual([]);
    expect([...acknowledged.completed].filter((id) => !resolved.has(id))).toEqual([]);

    const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--db', db], { encoding: 'utf8' });
    expect(doctor.stdout).toMatch(/All \d+ checks passed/);
    expect(doctor.status).toBe(0);
    await database.drop();
    console.log(
      `crash [${kind}]: ${CYCLES} processes killed; ${acknowledged.tickets.size} tickets, ${acknowledged.comments.size} comments and ` +
        `${acknowledged.completed.size} completions acknowledged, all found; ${stored.size} tickets stored; ${acknowledged.cutOffByKill} calls cut off by a kill`,
    );
  }, 60_000 + CYCLES * 2_000);
});
