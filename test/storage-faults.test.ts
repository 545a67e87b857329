import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, connectInMemory, fails, ok, openService, spawnServer, tempDir } from './helpers.js';

/**
 * The storage under faults, each produced for real: a write held open, another
 * process holding the lock, a full disk (SQLite's page limit, and a tiny tmpfs where
 * this machine may mount one), a read-only file and folder, a database file removed
 * or replaced under the running server.
 */
const { dir, cleanup } = tempDir();

/** A 2 MB tmpfs, when this process may mount one (root with CAP_SYS_ADMIN, as on this project's machines). */
const tmpfs = join(dir, 'tmpfs');
mkdirSync(tmpfs);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0777', 'tmpfs', tmpfs]).status === 0;
afterAll(() => {
  // Lazily: a server process still closing its files there must not keep the mount.
  if (mounted) spawnSync('umount', ['-l', tmpfs]);
  cleanup();
});

/**
 * Run as root, a server can write a 0444 file: there the bin is started without the
 * capabilities that override file modes (setpriv), so it meets a read-only file as a
 * service account would, while still reaching a checkout only root may enter. Not root,
 * the file mode alone does it.
 */
const UNPRIVILEGED_BIN =
  process.getuid?.() === 0
    ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', process.execPath, CLI]
    : [process.execPath, CLI];

/** Rejects when `promise` takes longer than a second: what "not delayed" means here. */
const withinASecond = <T>(promise: Promise<T>): Promise<T> =>
  Promise.race([promise, sleep(1_000).then(() => Promise.reject(new Error('waited more than 1 s')))]);

async function serveHttp(db: string, [command, ...bin]: string[] = [process.execPath, CLI]) {
  const child = spawn(command!, [...bin, 'serve', '--http', '127.0.0.1:0', '--db', db], {
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  while (!log.includes('ready on http')) await once(child.stderr!, 'data');
  const { url } = log.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === 'ticket-mcp ready on http');
  const health = await (await fetch(url.replace('/mcp', '/healthz'))).json();
  child.kill('SIGTERM');
  await once(child, 'exit');
  return { health, log };
}

describe('the storage under faults', () => {
  it('answers reads while a write transaction is held open, in the same workspace and another', async () => {
    const { service, caller } = await openService(join(dir, 'slow-write.db'));
    const { data: ticket } = await service.createTicket(caller, { title: 'Original title', requestorEmail: 'ana@example.com' });
    const other = { ...caller, workspaceId: await service.createWorkspace('other') };
    let release!: () => void;
    const slowWrite = service.engine.write(async (trx) => {
      await trx.updateTable('tickets').set({ title: 'Renamed by the slow write' }).where('id', '=', ticket.id).execute();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await sleep(10);
    try {
      // Each read answers from the last commit, without waiting for the write to finish.
      expect((await withinASecond(service.getTicket(caller, { id: ticket.ticketIdentifier }))).data.title).toBe('Original title');
      expect((await withinASecond(service.getTicket(caller, { id: ticket.id }))).data.title).toBe('Original title');
      expect((await withinASecond(service.listTickets(caller, {}))).data.tickets).toHaveLength(1);
      expect((await withinASecond(service.getTicketHistory(caller, { id: ticket.id }))).data.events).toHaveLength(1);
      expect((await withinASecond(service.listAgents(caller, {}))).data.agents).toHaveLength(1);
      expect((await withinASecond(service.listTickets(other, {}))).data.tickets).toEqual([]);
    } finally {
      release();
      await slowWrite;
    }
    expect((await service.getTicket(caller, { id: ticket.id })).data.title).toBe('Renamed by the slow write');
    await service.close();
  });

  it('answers BUSY, saying how long it waited, when another process holds the write lock past the deadline', async () => {
    const db = join(dir, 'held.db');
    const server = await spawnServer(['--db', db], { TICKETS_BUSY_TIMEOUT_MS: '1000' });
    await ok(server.client, 'create_ticket', { title: 'Before the lock', requestorEmail: 'ana@example.com' });
    const holder = new BetterSqlite3(db);
    holder.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const error = await fails(server.client, 'create_ticket', { title: 'Refused', requestorEmail: 'ana@example.com' }, 'BUSY');
    const elapsed = Date.now() - started;
    expect(error.message).toMatch(/^The database is held by another writer: this call waited \d\.\d s for it, then gave up\. Nothing was changed\.$/);
    expect(error.hint).toMatch(/^Retry after a pause/);
    expect(error.details).toMatchObject({ reason: 'locked' });
    expect(error.details!.waitedMs).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(5_000);
    // Reads go on while the lock is held.
    expect((await ok(server.client, 'list_tickets')).tickets).toHaveLength(1);
    holder.exec('COMMIT');
    holder.close();
    // Nothing of the refused call was kept: the next ticket is SUP-2.
    expect((await ok(server.client, 'create_ticket', { title: 'After the lock', requestorEmail: 'ana@example.com' })).ticketIdentifier).toBe('SUP-2');
    await server.client.close();

    const bad = spawnSync(process.execPath, [CLI, '--db', db], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', TICKETS_BUSY_TIMEOUT_MS: 'soon' }, input: '' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('TICKETS_BUSY_TIMEOUT_MS must be a whole number of milliseconds (e.g. 30000), not "soon"');
  });

  it('answers UNAVAILABLE disk_full when the database may not grow, keeps reading, and takes writes again once it may', async () => {
    const { service, caller } = await openService(join(dir, 'page-limit.db'));
    const client = await connectInMemory(service, caller);
    await ok(client, 'create_ticket', { title: 'Fits', requestorEmail: 'ana@example.com' });
    const raw = service.engine.database.raw;
    // SQLite answers SQLITE_FULL when the file would pass max_page_count, as it does when the disk is full.
    raw.pragma(`max_page_count = ${raw.pragma('page_count', { simple: true })}`);
    const error = await fails(client, 'create_ticket', { title: 'Too big', requestorEmail: 'ana@example.com', description: 'x'.repeat(20_000) }, 'UNAVAILABLE');
    expect(error.message).toBe('The disk holding the database is full, so the change was not saved. Nothing was changed.');
    expect(error.details).toEqual({ reason: 'disk_full' });
    expect(error.hint).toContain('free space');
    expect((await ok(client, 'list_tickets')).tickets.map((t: any) => t.title)).toEqual(['Fits']);
    raw.pragma('max_page_count = 1073741823');
    expect((await ok(client, 'create_ticket', { title: 'Room again', requestorEmail: 'ana@example.com' })).ticketIdentifier).toBe('SUP-2');
    await client.close();
    await service.close();
  });

  it.skipIf(!mounted)('answers UNAVAILABLE disk_full on a really full disk, acknowledges only what it kept, and recovers', async () => {
    const db = join(tmpfs, 'tickets.db');
    const server = await spawnServer(['--db', db]);
    await ok(server.client, 'create_ticket', { title: 'First', requestorEmail: 'ana@example.com' });
    // Fill the disk but for a few pages: the next creates run out of room.
    const filler = join(tmpfs, 'filler');
    const { bavail, bsize } = statfsSync(tmpfs);
    writeFileSync(filler, Buffer.alloc(bavail * bsize - 48 * 1024));
    const kept: string[] = ['First'];
    let error;
    for (let i = 0; i < 200 && !error; i++) {
      const answer = await server.client.callTool({ name: 'create_ticket', arguments: { title: `Filling ${i}`, requestorEmail: 'ana@example.com', description: 'x'.repeat(8_000) } });
      const envelope = answer.structuredContent as { status: boolean; error?: { code: string; details?: unknown } };
      if (envelope.status) kept.push(`Filling ${i}`);
      else error = envelope.error;
    }
    expect(error).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'disk_full' } });
    expect((await ok(server.client, 'list_tickets', { pageSize: 100 })).tickets.map((t: any) => t.title).reverse()).toEqual(kept);
    rmSync(filler);
    await ok(server.client, 'create_ticket', { title: 'After freeing space', requestorEmail: 'ana@example.com' });
    await server.client.close();
    expect(server.stderr()).toContain('"code":"SQLITE_FULL"');
    const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--db', db], { encoding: 'utf8' });
    expect(doctor.stdout).toMatch(/All \d+ checks passed/);
    const check = new BetterSqlite3(db, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: kept.length + 1 });
    check.close();
  });

  it('starts read-only on a file it cannot write: reads work, writes answer UNAVAILABLE, the log and /healthz say so', async () => {
    const folder = join(dir, 'read-only-file');
    mkdirSync(folder, { mode: 0o777 });
    chmodSync(folder, 0o777);
    const db = join(folder, 'tickets.db');
    const writer = await spawnServer(['--db', db]);
    await ok(writer.client, 'create_ticket', { title: 'Written before', requestorEmail: 'ana@example.com' });
    await writer.client.close();
    expect((await serveHttp(db)).health).toEqual({ status: 'ok', version: expect.any(String), writable: true });
    chmodSync(db, 0o444);

    const server = await spawnServer(['--db', db], {}, UNPRIVILEGED_BIN);
    expect((await ok(server.client, 'list_tickets')).tickets.map((t: any) => t.title)).toEqual(['Written before']);
    const error = await fails(server.client, 'create_ticket', { title: 'Refused', requestorEmail: 'ana@example.com' }, 'UNAVAILABLE');
    expect(error.message).toBe(`The database ${db} is read-only for this server (its file, folder or disk cannot be written), so nothing was changed.`);
    expect(error.details).toEqual({ reason: 'read_only', path: db });
    await server.client.close();
    const logs = server.stderr().trim().split('\n').map((line) => JSON.parse(line));
    expect(logs[0]).toMatchObject({ level: 'warn', msg: 'the database cannot be written: serving reads only, writes answer UNAVAILABLE', reason: 'read_only' });
    expect(logs.find((l) => l.msg === 'ticket-mcp ready on stdio')).toMatchObject({ writable: false });

    const { health, log } = await serveHttp(db, UNPRIVILEGED_BIN);
    expect(health).toEqual({ status: 'ok', version: expect.any(String), writable: false });
    expect(log).toContain('the database cannot be written');
  });

  it('refuses to start in a read-only folder where SQLite cannot make the files it reads with', async () => {
    const folder = join(dir, 'read-only-folder');
    mkdirSync(folder);
    const db = join(folder, 'tickets.db');
    const writer = await spawnServer(['--db', db]);
    await ok(writer.client, 'create_ticket', { title: 'Written before', requestorEmail: 'ana@example.com' });
    await writer.client.close();
    chmodSync(db, 0o644);
    chmodSync(folder, 0o555);
    const refused = spawnSync(UNPRIVILEGED_BIN[0]!, [...UNPRIVILEGED_BIN.slice(1), '--db', db], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, input: '' });
    chmodSync(folder, 0o755);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`Cannot read the database ${db}: its folder is read-only, and SQLite needs to create ${db}-shm beside it to read it.`);
  });

  it('refuses writes once its database file is removed or replaced, so none is acknowledged and lost', async () => {
    const folder = join(dir, 'removed');
    const db = join(folder, 'tickets.db');
    const server = await spawnServer(['--db', db]);
    await ok(server.client, 'create_ticket', { title: 'Before the removal', requestorEmail: 'ana@example.com' });
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix);
    const error = await fails(server.client, 'create_ticket', { title: 'After the removal', requestorEmail: 'ana@example.com' }, 'UNAVAILABLE');
    expect(error.message).toBe(
      `The database file ${db} was removed or replaced while the server ran, so this change was not saved (it would have gone to a file nobody can open again). Nothing was changed.`,
    );
    expect(error.details).toEqual({ reason: 'database_file_removed', path: db });
    expect(error.hint).toMatch(/^An operator must restart ticket-mcp/);
    await fails(server.client, 'add_comment', { id: 'SUP-1', body: 'Lost?' }, 'UNAVAILABLE');
    // Reads still answer, from the file the server has open.
    expect((await ok(server.client, 'list_tickets')).tickets).toHaveLength(1);
    await server.client.close();
    expect(server.stderr()).toContain(`"code":"UNAVAILABLE","message":"The database file ${db} was removed or replaced`);
    expect(server.stderr()).toContain('"reason":"database_file_removed"');

    // Restarted, the server opens a new database at the path: nothing in it was acknowledged and lost.
    const restarted = await spawnServer(['--db', db]);
    expect((await ok(restarted.client, 'list_tickets')).tickets).toEqual([]);
    const other = join(dir, 'other.db');
    const elsewhere = await spawnServer(['--db', other]);
    await ok(elsewhere.client, 'create_ticket', { title: 'In the other database', requestorEmail: 'bo@example.com' });
    await elsewhere.client.close();
    renameSync(other, db);
    await fails(restarted.client, 'create_ticket', { title: 'After the replacement', requestorEmail: 'ana@example.com' }, 'UNAVAILABLE');
    await restarted.client.close();
    const again = await spawnServer(['--db', db]);
    expect((await ok(again.client, 'list_tickets')).tickets.map((t: any) => t.title)).toEqual(['In the other database']);
    await again.client.close();
  });
});
