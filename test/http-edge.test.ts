import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, ok, tempDir } from './helpers.js';
import { newKey, rawClient, rawPost, serveHttp, stop, within, type ServedHttp } from './serve.js';

/**
 * The HTTP edge against the built bin's `serve --http`, with raw sockets: slow headers,
 * slow bodies, a reader that stalls, more connections than the cap, shutdown with a
 * stalled upload beside real work, and the Host check on loopback however it is spelled.
 * Timeouts are shortened through the environment, as an operator may.
 */
const { dir, cleanup } = tempDir();
const db = join(dir, 'edge.db');
const env = { PATH: process.env.PATH ?? '', HOME: dir };
const fast = {
  ...env,
  TICKETS_HTTP_HEADERS_TIMEOUT_MS: '1000',
  TICKETS_HTTP_REQUEST_TIMEOUT_MS: '2000',
  TICKETS_HTTP_SEND_TIMEOUT_MS: '1000',
};
let key: string;
let thread: string;
let served: ServedHttp;

const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

beforeAll(async () => {
  // A ticket whose history pages are large: 50 comments of 20 KB.
  const seeding = await spawnServer(['--db', db], { HOME: dir });
  thread = (await ok(seeding.client, 'create_ticket', { title: 'Long thread', requestorEmail: 'a@example.com' })).ticketIdentifier;
  for (let i = 0; i < 50; i++) await ok(seeding.client, 'add_comment', { id: thread, body: `${i} ${'x'.repeat(19_990)}` });
  await seeding.client.close();
  key = newKey(db, env, '--actor', 'edge@example.com');
  served = await serveHttp(db, fast);
}, 60_000);

afterAll(async () => {
  await stop(served);
  cleanup();
});

describe.concurrent('slow clients', () => {
  it('are answered 408 and cut when their headers take longer than the headers timeout', async () => {
    const client = await rawClient(served.port);
    client.socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await within(client.closed, 5_000)).not.toBe('timeout');
    expect(client.received().toString()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('are cut when their body takes longer than the request timeout', async () => {
    const client = await rawClient(served.port);
    const request = rawPost(key, JSON.stringify(call(1, 'list_tickets', {})));
    client.socket.write(request.slice(0, -10));
    expect(await within(client.closed, 6_000)).not.toBe('timeout');
    expect(client.received().toString()).toMatch(/^HTTP\/1\.1 408 /);
    // The request it left half-sent is no fault of the server's.
    expect(served.log()).not.toContain('"level":"error"');
  });

  it('are not cut by the request timeout while their call waits for the database', async () => {
    const lock = new BetterSqlite3(db);
    lock.exec('BEGIN IMMEDIATE');
    const write = fetch(served.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
      body: JSON.stringify(call(1, 'create_ticket', { title: 'Waited for the lock', requestorEmail: 'w@example.com' })),
    });
    await sleep(3_000);
    lock.exec('ROLLBACK');
    lock.close();
    const answer = await write;
    expect(answer.status).toBe(200);
    expect((await answer.json()).result.structuredContent).toMatchObject({ status: true, data: { title: 'Waited for the lock' } });
  });

  it('are cut when they stop reading an answer for longer than the send timeout', async () => {
    const client = await rawClient(served.port);
    client.socket.pause();
    // Two requests of ~8 MB of answers each, more than the sockets' buffers hold.
    const batch = JSON.stringify(Array.from({ length: 5 }, (_, i) => call(i + 1, 'get_ticket_history', { id: thread, pageSize: 45 })));
    client.socket.write(rawPost(key, batch) + rawPost(key, batch, { connection: 'close' }));
    await sleep(3_000);
    client.socket.resume();
    expect(await within(client.closed, 10_000)).not.toBe('timeout');
    const text = client.received().toString('latin1');
    const length = Number(/content-length: (\d+)/i.exec(text)![1]);
    const head = text.indexOf('\r\n\r\n') + 4;
    // The connection was cut before the first answer was whole.
    expect(client.received().length - head).toBeLessThan(length);
  }, 20_000);
});

describe('connections', () => {
  it('are capped: past the cap one is closed as it arrives, and once one leaves another is served', async () => {
    const capped = await serveHttp(db, { ...env, TICKETS_HTTP_MAX_CONNECTIONS: '4' });
    const held = await Promise.all([0, 1, 2, 3].map(() => rawClient(capped.port)));
    await sleep(200);
    const refused = await rawClient(capped.port);
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await within(refused.closed, 2_000)).not.toBe('timeout');
    expect(refused.received().length).toBe(0);
    held[0]!.socket.destroy();
    await sleep(200);
    const served = await fetch(`http://127.0.0.1:${capped.port}/healthz`);
    expect(served.status).toBe(200);
    expect(capped.log()).toContain('"msg":"connections refused: the server has as many open as it takes","maxConnections":4');
    for (const client of held) client.socket.destroy();
    await stop(capped);
  });
});

describe('shutdown', () => {
  it('cuts a stalled upload at once, and finishes a write in flight before it exits', async () => {
    const server = await serveHttp(db, env);
    const upload = await rawClient(server.port);
    upload.socket.write(rawPost(key, JSON.stringify(call(1, 'list_tickets', {}))).slice(0, -10));
    // The write waits for the lock this connection holds.
    const lock = new BetterSqlite3(db);
    lock.exec('BEGIN IMMEDIATE');
    const write = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
      body: JSON.stringify(call(2, 'create_ticket', { title: 'Written during shutdown', requestorEmail: 's@example.com' })),
    });
    await sleep(500);
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    try {
      expect(await within(upload.closed, 1_500)).not.toBe('timeout');
      expect(server.child.exitCode).toBeNull();
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    const answer = await write;
    expect(answer.status).toBe(200);
    expect((await answer.json()).result.structuredContent).toMatchObject({ status: true, data: { title: 'Written during shutdown' } });
    expect((await within(exited, 5_000)) as unknown[]).toEqual([0, null]);
  }, 20_000);
});

describe('the Host check', () => {
  for (const spelling of ['127.1', '2130706433']) {
    it(`stays on when bound to loopback spelled ${spelling}`, async () => {
      const server = await serveHttp(db, env, `${spelling}:0`);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(server.log()).not.toContain('Host headers are not checked');
      const ask = (host: string) =>
        rawClient(server.port).then(async (client) => {
          client.socket.end(rawPost(key, JSON.stringify(call(1, 'list_tickets', {})), { host, connection: 'close' }));
          await client.closed;
          return client.received().toString();
        });
      expect(await ask(`rebound.example:${server.port}`)).toMatch(/^HTTP\/1\.1 403 [^]*Host \\?"rebound.example\\?" is not allowed/);
      expect(await ask(`${spelling}:${server.port}`)).toMatch(/^HTTP\/1\.1 200 /);
      expect(await ask(`localhost:${server.port}`)).toMatch(/^HTTP\/1\.1 200 /);
      await stop(server);
    });
  }
});
