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
});
