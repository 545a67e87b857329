import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openService, tempDir } from './helpers.js';

/** Another process holding the write lock longer than SQLite's own busy wait. */
const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('a database another process holds', () => {
  it('waits the holder out: writes retry without blocking reads, and no SQLITE_BUSY reaches the caller', async () => {
    const path = join(dir, 'busy.db');
    const { service, caller } = await openService(path);
    const other = new BetterSqlite3(path);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const write = service.createTicket(caller, { title: 'Waited', requestorEmail: 'w@example.com' });
    // While the write waits, reads go on (WAL readers are not blocked by a writer).
    const read = await service.listTickets(caller, {});
    expect(read.data.tickets).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 800));
    other.exec('COMMIT');
    const { data } = await write;
    expect(data.ticketIdentifier).toBe('SUP-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    other.close();
    await service.close();
  });

  it('keeps the event loop turning while many writes wait for the holder', async () => {
    const path = join(dir, 'queue.db');
    const { service, caller } = await openService(path);
    const other = new BetterSqlite3(path);
    other.exec('BEGIN IMMEDIATE');
    const writes = Array.from({ length: 8 }, (_, i) => service.createTicket(caller, { title: `Queued ${i}`, requestorEmail: 'q@example.com' }));
    // SQLite's busy wait blocks the thread; the waits between tries must not. Count 10 ms ticks over 1.5 s.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    clearInterval(ticker);
    other.exec('COMMIT');
    const created = await Promise.all(writes);
    expect(created.map((c) => c.data.ticketIdentifier).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `SUP-${i + 1}`).sort());
    // Up to 150 ticks fit; a loop blocked in 100 ms busy waits got about a fifth of them.
    expect(ticks).toBeGreaterThan(75);
    other.close();
    await service.close();
  });

  it('serves concurrent calls on a fresh process, where the first ones load the workspace lookups', async () => {
    const { service, caller } = await openService(join(dir, 'fresh.db'));
    const answers = await Promise.all([
      service.listTickets(caller, {}),
      service.createTicket(caller, { title: 'First', requestorEmail: 'f@example.com' }),
      service.createTicket(caller, { title: 'Second', requestorEmail: 'f@example.com' }),
      service.listTickets(caller, { status: 'open' }),
    ]);
    // All four answer (none waits on another's half-loaded lookups); the lists see 0 to 2 tickets.
    expect(answers.slice(1, 3).map((a) => a.message).sort()).toEqual([
      'Ticket SUP-1 created (open), unassigned.',
      'Ticket SUP-2 created (open), unassigned.',
    ]);
    for (const list of [answers[0]!, answers[3]!]) expect(list.message).toMatch(/^[0-2] tickets?/);
    expect((await service.listTickets(caller, {})).data.tickets).toHaveLength(2);
    await service.close();
  });
});
