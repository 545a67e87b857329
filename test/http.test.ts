import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineDatabase, describeEngines, type EngineDatabase } from './engines.js';
import { CLI, call, fails, ok, tempDir } from './helpers.js';

/**
 * A team's shared server: `ticket-mcp serve --http` as its own process, API keys made
 * with the bin, and real SDK clients over Streamable HTTP.
 */
const { dir, cleanup } = tempDir();
const env = { PATH: process.env.PATH ?? '', HOME: dir };
afterAll(cleanup);
let database: EngineDatabase;
let db: string;
let server: ChildProcess;
let url: string;
let serverLog = '';
const clients: Client[] = [];

function bin(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args, '--db', db], { encoding: 'utf8', env });
}

function newKey(...args: string[]): string {
  const result = bin('keys', 'create', ...args);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function connect(key: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'ticket-mcp-http-test', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  clients.push(client);
  return client;
}

async function startServer(...args: string[]): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  while (!/ready on http[^\n]*\n/.test(log)) await once(child.stderr!, 'data');
  const ready = log
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((l) => l.msg === 'ticket-mcp ready on http');
  return { child, url: ready.url, log: () => log };
}

const post = (key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(key && { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: JSON.stringify(body),
  });

const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

let keyA: string;
let keyB: string;
let readOnlyKey: string;

describeEngines('a shared HTTP server', (kind) => {
  beforeAll(async () => {
    database = await createEngineDatabase(kind, 'team.db');
    db = database.target;
    keyA = newKey('--actor', 'alice@acme.example');
    expect(bin('workspaces', 'create', 'beta').status).toBe(0);
    keyB = newKey('--actor', 'bob@beta.example', '--workspace', 'beta');
    readOnlyKey = newKey('--actor', 'auditor@acme.example', '--read-only');
    const started = await startServer();
    server = started.child;
    url = started.url;
    serverLog = '';
    started.child.stderr!.on('data', (chunk) => (serverLog += chunk));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients.length = 0;
    server.kill('SIGTERM');
    await once(server, 'exit');
    await database.drop();
  });

  describe('API keys', () => {
    it('are printed once and stored only as a hash', async () => {
      expect(keyA).toMatch(/^tmcp_[0-9A-Za-z]{40}$/);
      const engine = await database.open();
      const hashes = (await engine.reader.selectFrom('api_keys').select('key_hash').execute()).map((r) => r.key_hash);
      await engine.close();
      expect(hashes).toContain(createHash('sha256').update(keyA).digest('hex'));
      // A SQLite file's bytes hold no key either (PostgreSQL's files are the server's).
      for (const file of kind === 'sqlite' ? [db, `${db}-wal`] : []) {
        let bytes = '';
        try {
          bytes = readFileSync(file, 'latin1');
        } catch {
          continue;
        }
        expect(bytes.includes(keyA)).toBe(false);
      }
      const listed = bin('keys', 'list');
      expect(listed.stdout).toContain(keyA.slice(0, 11));
      expect(listed.stdout).not.toContain(keyA);
      expect(listed.stdout).toMatch(/auditor@acme\.example {2}read-only {2}active/);
    });

    it('are required: a missing, wrong or revoked key gets 401 and no data', async () => {
      for (const key of [undefined, 'tmcp_wrong', `${keyA.slice(0, -1)}${keyA.endsWith('x') ? 'y' : 'x'}`]) {
        const answer = await post(key, listTools);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toContain('Bearer');
        expect(JSON.stringify(await answer.json())).not.toContain('create_ticket');
      }
      const doomed = newKey('--actor', 'temp@acme.example');
      expect((await post(doomed, listTools)).status).toBe(200);
      const id = bin('keys', 'list').stdout.split('\n').find((l) => l.includes('temp@acme.example'))!.split(' ')[0]!;
      expect(bin('keys', 'revoke', id).status).toBe(0);
      expect((await post(doomed, listTools)).status).toBe(401);
      expect(bin('keys', 'list').stdout).toMatch(/temp@acme\.example {2}read-write {2}revoked/);
    });
  });

  describe('the HTTP transport', () => {
    it('answers GET and DELETE on /mcp with 405: it is stateless', async () => {
      for (const method of ['GET', 'DELETE']) {
        const answer = await fetch(url, { method, headers: { authorization: `Bearer ${keyA}`, accept: 'text/event-stream' } });
        expect(answer.status).toBe(405);
        expect(answer.headers.get('allow')).toBe('POST');
      }
    });

    it('answers the health check without a key', async () => {
      const answer = await fetch(url.replace('/mcp', '/healthz'));
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ status: 'ok' });
    });

    it('refuses foreign Host and Origin headers (DNS rebinding)', async () => {
      // fetch will not send a Host of our choosing; node:http will.
      const withHost = await new Promise<number>((resolve, reject) => {
        const target = new URL(url);
        const req = request(
          { host: target.hostname, port: target.port, path: '/mcp', method: 'POST', headers: { host: 'evil.example', authorization: `Bearer ${keyA}`, 'content-type': 'application/json' } },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on('error', reject);
        req.end(JSON.stringify(listTools));
      });
      expect(withHost).toBe(403);
      expect((await post(keyA, listTools, { origin: 'http://evil.example' })).status).toBe(403);
      expect((await post(keyA, listTools, { origin: new URL(url).origin })).status).toBe(200);
    });

    it('refuses a body over 4 MB with 413, and survives a malformed request target', async () => {
      const huge = { ...listTools, params: { padding: 'x'.repeat(5 * 1024 * 1024) } };
      const tooBig = await post(keyA, huge);
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toMatchObject({ error: { message: 'request body too large: the limit is 4 MB' } });
      const malformed = await new Promise<number>((resolve, reject) => {
        const target = new URL(url);
        const req = request({ host: target.hostname, port: target.port, path: '//[', method: 'GET' }, (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        req.end();
      });
      expect(malformed).toBe(404);
      expect((await post(keyA, listTools)).status).toBe(200);
    });

    it('acts as the key’s agent, logging one line per call without contents', async () => {
      const alice = await connect(keyA);
      const t = await ok(alice, 'create_ticket', { title: 'Confidential printer', requestorEmail: 'x@acme.example', detail: 'full' });
      expect(t.createdById).toBe((await ok(alice, 'list_agents', { search: 'alice' })).agents[0].id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const line = serverLog
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === 'tool call' && l.tool === 'create_ticket');
      expect(line).toMatchObject({ level: 'info', actor: t.createdById, outcome: 'OK' });
      expect(typeof line.ms).toBe('number');
      expect(serverLog).not.toContain('Confidential');
    });
  });

  describe('workspaces', () => {
    it('keep each key to its own workspace: foreign records answer exactly as missing ones', async () => {
      const alice = await connect(keyA);
      const bob = await connect(keyB);
      const secret = await ok(alice, 'create_ticket', { title: 'Alpha secret merger', requestorEmail: 'ceo@acme.example', chatId: 'chat-x', idempotencyKey: 'k1' });
      await ok(alice, 'create_team', { name: 'Legal', identifier: 'LGL' });
      const legal = await ok(alice, 'create_ticket', { title: 'Alpha legal hold', requestorEmail: 'ceo@acme.example', teamId: 'LGL' });
      await ok(alice, 'add_tag', { ticketId: secret.id, tagId: 'alpha-only' });
      const aliceTag = (await ok(alice, 'list_tags', { search: 'alpha-only' })).tags[0];

      // Bob's workspace numbers its own tickets from SUP-1; chat ids, idempotency keys and names do not collide.
      const own = await ok(bob, 'create_ticket', { title: 'Beta ticket', requestorEmail: 'b@beta.example', chatId: 'chat-x', idempotencyKey: 'k1' });
      expect(own.ticketIdentifier).toBe('SUP-1');
      expect(secret.ticketIdentifier).not.toBe('SUP-1');
      expect((await ok(bob, 'get_ticket', { id: 'SUP-1' })).title).toBe('Beta ticket');
      await fails(bob, 'get_ticket', { id: secret.ticketIdentifier }, 'NOT_FOUND');
      expect((await ok(bob, 'create_team', { name: 'Legal', identifier: 'LGL' })).identifier).toBe('LGL');

      const missing = await fails(bob, 'get_ticket', { id: 'tk_doesnotexist00' }, 'NOT_FOUND');
      for (const [tool, args] of [
        ['get_ticket', { id: secret.id }],
        ['get_ticket_history', { id: secret.id }],
        ['update_ticket', { id: secret.id, title: 'pwned' }],
        ['takeover', { id: secret.id }],
        ['assign_ticket', { id: secret.id, assignedAgentId: null }],
        ['add_comment', { id: secret.id, body: 'hi' }],
        ['delete_ticket', { id: secret.id, confirm: true }],
        ['add_tag', { ticketId: secret.id, tagId: 'x-tag' }],
      ] as const) {
        const error = await fails(bob, tool, args, 'NOT_FOUND');
        expect(error.message.replace(secret.id, 'ID'), tool).toBe(missing.message.replace('tk_doesnotexist00', 'ID'));
        expect(error.hint).toBe(missing.hint);
      }
      await fails(bob, 'get_ticket', { id: legal.ticketIdentifier }, 'NOT_FOUND');
      expect((await ok(bob, 'list_tickets', { search: 'alpha' })).tickets).toEqual([]);
      expect((await ok(bob, 'list_tickets', { includeDeleted: true, pageSize: 100 })).tickets.map((r: any) => r.title)).toEqual(['Beta ticket']);
      expect((await ok(bob, 'list_agents', { includeInactive: true })).agents.map((a: any) => a.email)).not.toContain('alice@acme.example');
      const foreignAgent = await fails(bob, 'assign_ticket', { id: own.id, assignedAgentId: 'alice@acme.example' }, 'NOT_FOUND');
      expect(foreignAgent.candidates).toBeUndefined();
      expect((await ok(bob, 'list_tags')).tags).toEqual([]);
      await fails(bob, 'add_tag', { ticketId: own.id, tagId: aliceTag.id }, 'NOT_FOUND');
      await fails(bob, 'update_tag', { id: aliceTag.id, color: 'red' }, 'NOT_FOUND');
      await fails(bob, 'list_tickets', { tag: 'alpha-only' }, 'NOT_FOUND');
      await expect(bob.readResource({ uri: `ticket://${legal.ticketIdentifier}` })).rejects.toMatchObject({ code: -32002 });
      // Completions name only the caller's own tickets, for the resource and the prompt alike.
      for (const [ref, name] of [
        [{ type: 'ref/resource', uri: 'ticket://{key}' }, 'key'],
        [{ type: 'ref/prompt', name: 'triage_ticket' }, 'id'],
      ] as const) {
        const completeLG = (client: Client) => client.complete({ ref, argument: { name, value: 'LG' } });
        expect((await completeLG(alice)).completion.values).toEqual([legal.ticketIdentifier]);
        expect((await completeLG(bob)).completion.values).toEqual([]);
      }

      // Nothing Bob did reached Alice's workspace.
      const after = await ok(alice, 'get_ticket', { id: secret.id });
      expect(after).toMatchObject({ title: 'Alpha secret merger', version: 2, commentCount: 0, deletedAt: null });
    });
  });

  describe('trimming', () => {
    it('gives a read-only key the read-only surface and refuses the rest with FORBIDDEN', async () => {
      const auditor = await connect(readOnlyKey);
      const names = (await auditor.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(['get_ticket', 'list_tickets', 'get_ticket_history', 'list_agents', 'list_teams', 'list_tags']);
      const refused = await call(auditor, 'create_ticket', { title: 'x', requestorEmail: 'a@acme.example' });
      expect(refused.error).toMatchObject({ code: 'FORBIDDEN' });
      expect(refused.message).toContain('read-only');
      expect((await ok(auditor, 'list_tickets')).tickets.length).toBeGreaterThan(0);
    });

    it('serves only the chosen toolsets with --toolsets', async () => {
      const trimmed = await startServer('--toolsets', 'tags,comments');
      const previous = url;
      url = trimmed.url;
      try {
        const client = await connect(keyA);
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['add_tag', 'add_comment', 'remove_tag', 'create_tag', 'update_tag', 'list_tags']);
        expect((await call(client, 'get_ticket', { id: 'SUP-1' })).error?.code).toBe('FORBIDDEN');
      } finally {
        url = previous;
        trimmed.child.kill('SIGTERM');
        await once(trimmed.child, 'exit');
      }
    });
  });

  describe('shutdown', () => {
    it('finishes a request in flight, then exits', async () => {
      const running = await startServer();
      const previous = url;
      url = running.url;
      const alice = await connect(keyA);
      url = previous;
      // Another process holds the teams' rows (on SQLite, the write lock), so the create waits inside the server.
      const holder = await database.open();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const held = holder.write(async (trx) => {
        await sql`UPDATE teams SET ticket_counter = ticket_counter`.execute(trx);
        locked();
        await released;
      });
      await holding;
      const inFlight = call(alice, 'create_ticket', { title: 'Written during shutdown', requestorEmail: 'late@acme.example' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      running.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await held;
      await holder.close();
      const answer = await inFlight;
      expect(answer.status).toBe(true);
      const [code] = await once(running.child, 'exit');
      expect(code).toBe(0);
      expect(running.log()).toContain('"reason":"SIGTERM"');
    });
  });
});
