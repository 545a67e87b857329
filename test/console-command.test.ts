import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngineDatabase, describeEngines, type EngineDatabase } from './engines.js';
import { CLI, tempDir } from './helpers.js';
import { untilPrinted } from './serve.js';

/**
 * `ticket-mcp console` as its own process: the one-time sign-in link it prints, the Host and
 * Origin checks that stop DNS rebinding and cross-site posts, and its loopback-only socket.
 */
const { dir, cleanup } = tempDir();
const env = { PATH: process.env.PATH ?? '', HOME: dir };
afterAll(cleanup);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would not let a test choose Host). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject).end(body);
  });
}

const refusesConnection = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.on('connect', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
  });

describeEngines('ticket-mcp console', (kind) => {
  let database: EngineDatabase;
  let child: ChildProcess;
  let link: URL;

  beforeAll(async () => {
    database = await createEngineDatabase(kind, 'console.db');
    child = spawn(process.execPath, [CLI, 'console', '--db', database.target, '--port', '0', '--actor', 'lead@example.com'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.resume();
    link = new URL((await untilPrinted(child, child.stdout!, /(http:\S+)\n/)).match[1]!);
  }, 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await database?.drop();
  });

  it('prints a sign-in link on 127.0.0.1 whose token signs in exactly once', async () => {
    expect(link.hostname).toBe('127.0.0.1');
    const port = Number(link.port);
    const host = link.host;
    const token = link.searchParams.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(24);
    const confirm = await send(port, 'GET', `${link.pathname}${link.search}`, { host });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('as <strong>lead</strong>');

    const form = { host, origin: link.origin, 'content-type': 'application/x-www-form-urlencoded' };
    const first = await send(port, 'POST', '/signin/local', form, `token=${token}`);
    expect(first.status).toBe(303);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const list = await send(port, 'GET', '/', { host, cookie });
    expect(list.status).toBe(200);
    expect(list.body).toContain('<table>');

    const again = await send(port, 'POST', '/signin/local', form, `token=${token}`);
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.body).toContain('already used or is wrong');
  });

  it('refuses a foreign Host (DNS rebinding) and a POST from a foreign Origin', async () => {
    const port = Number(link.port);
    const rebound = await send(port, 'GET', '/signin', { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('attacker.example');

    const token = link.searchParams.get('token')!;
    const crossSite = await send(port, 'POST', '/signin/local', { host: link.host, origin: 'http://attacker.example', 'content-type': 'application/x-www-form-urlencoded' }, `token=${token}`);
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();
    const noOrigin = await send(port, 'POST', '/signin/local', { host: link.host, 'content-type': 'application/x-www-form-urlencoded' }, `token=${token}`);
    expect(noOrigin.status).toBe(403);
  });

  it('listens on 127.0.0.1 only: another loopback address and IPv6 are refused', async () => {
    const port = Number(link.port);
    expect(await refusesConnection('127.0.0.1', port)).toBe(false);
    expect(await refusesConnection('127.0.0.2', port)).toBe(true);
    expect(await refusesConnection('::1', port)).toBe(true);
  });
});
