import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../src/package-root.js';
import { toolListing } from '../src/server.js';
import { redactUrl } from '../src/db/url.js';
import { createEngineDatabase, describeEngines } from './engines.js';
import { CLI, ok, spawnServer, tempDir } from './helpers.js';

/** The built bin, spawned over stdio the way an agent runtime does it. */
const { dir, cleanup } = tempDir();
afterAll(cleanup);

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, input: '' });

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('the ticket-mcp bin', () => {
  it('prints help and version, and refuses unknown flags with exit code 2', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--db PATH');
    expect(help.stdout).toContain('TICKETS_ACTOR');
    expect(run(['--version']).stdout.trim()).toBe(packageVersion);
    const bad = run(['--dbb', 'x.db']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--dbb'");
    expect(bad.stdout).toBe('');
  });

  it('lists, from the tools/list computed at build time, exactly what the code describes', async () => {
    const server = await spawnServer(['--db', ':memory:']);
    expect((await server.client.listTools()).tools).toEqual((await toolListing()).tools);
    await server.client.close();
  });

  it('defaults to the XDG data folder and the built-in agent, and works on :memory:', async () => {
    const dataHome = join(dir, 'xdg');
    const server = await spawnServer([], { XDG_DATA_HOME: dataHome });
    const t = await ok(server.client, 'create_ticket', { title: 'x', requestorEmail: 'a@example.com', detail: 'full' });
    expect(t.createdById).toBe((await ok(server.client, 'list_agents')).agents.find((a: any) => a.name === 'Assistant').id);
    await server.client.close();
    expect(server.stderr()).toContain(join(dataHome, 'ticket-mcp', 'tickets.db'));

    // An empty TICKETS_DB means unset, not SQLite's temporary database that loses everything.
    const empty = await spawnServer([], { XDG_DATA_HOME: dataHome, TICKETS_DB: '' });
    expect((await ok(empty.client, 'list_tickets')).tickets).toHaveLength(1);
    await empty.client.close();

    const memory = await spawnServer(['--db', ':memory:']);
    expect((await ok(memory.client, 'create_ticket', { title: 'x', requestorEmail: 'a@example.com' })).ticketIdentifier).toBe('SUP-1');
    await memory.client.close();
  });

  it('trims its surface with --read-only and --toolsets, and keeps workspaces apart with --workspace', async () => {
    const db = join(dir, 'trim.db');
    // A read-only session creates nothing, not even the database: one that writes comes first.
    await (await spawnServer(['--db', db])).client.close();
    const reader = await spawnServer(['--db', db, '--read-only']);
    expect((await reader.client.listTools()).tools.map((t) => t.name)).toEqual([
      'get_ticket',
      'list_tickets',
      'get_ticket_history',
      'list_agents',
      'list_teams',
      'list_tags',
    ]);
    await reader.client.close();
    const tagger = await spawnServer(['--db', db, '--toolsets', 'tags']);
    expect((await tagger.client.listTools()).tools.map((t) => t.name)).toEqual(['add_tag', 'remove_tag', 'create_tag', 'update_tag', 'list_tags']);
    await tagger.client.close();
    const bad = run(['--db', db, '--toolsets', 'tickets,nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('toolsets are tickets, comments, tags, directory');

    const alpha = await spawnServer(['--db', db]);
    await ok(alpha.client, 'create_ticket', { title: 'In the default workspace', requestorEmail: 'a@example.com' });
    await alpha.client.close();
    const beta = await spawnServer(['--db', db], { TICKETS_WORKSPACE: 'beta' });
    expect((await ok(beta.client, 'list_tickets')).tickets).toEqual([]);
    await beta.client.close();
    expect(beta.stderr()).toContain('"workspace":"beta"');
  });

  it('exits with a logged error naming an unreachable PostgreSQL server without its password', () => {
    const result = run(['--db', 'postgres://bob:hunter2@127.0.0.1:1/tickets']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('postgres://bob:***@127.0.0.1:1/tickets');
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stdout).toBe('');
  });

  it('exits with a logged error when the database cannot be opened', () => {
    const notAFile = join(dir, 'a-folder');
    mkdirSync(notAFile);
    const result = run(['--db', notAFile]);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stderr.trim().split('\n').at(-1)!)).toMatchObject({ level: 'error', msg: 'ticket-mcp failed' });
    expect(result.stdout).toBe('');
  });
});

describeEngines('a stdio session', (kind) => {
  const dropped: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of dropped) await drop();
  });
  /** A fresh database of this engine for --db; on PostgreSQL with a password (the server trusts it), which no log may show. */
  async function database(name: string): Promise<string> {
    const created = await createEngineDatabase(kind, name);
    dropped.push(created.drop);
    return kind === 'postgres' ? created.target.replace('://postgres@', '://postgres:s3cret@') : created.target;
  }

  it('serves a session over stdio, acting as the configured actor, and keeps it after a restart', async () => {
    const db = await database('session.db');
    const first = await spawnServer(['--db', db, '--actor', 'claude@example.com']);
    const created = await ok(first.client, 'create_ticket', { title: 'VPN drops hourly', requestorEmail: 'ana@example.com' });
    const taken = await ok(first.client, 'takeover', { id: created.ticketIdentifier });
    expect(taken.assignedAgentEmail).toBe('claude@example.com');
    const me = (await ok(first.client, 'list_agents', { search: 'claude' })).agents[0];
    expect(me).toMatchObject({ name: 'claude', kind: 'ai', openTickets: 0, pendingTickets: 1 });
    await first.client.close();

    const logs = first.stderr().trim().split('\n').map((line) => JSON.parse(line));
    expect(logs[0]).toMatchObject({ level: 'info', msg: 'ticket-mcp ready on stdio', db: redactUrl(db), actor: 'claude <claude@example.com>' });
    expect(logs.at(-1)).toMatchObject({ msg: 'shutting down', reason: 'stdin closed' });

    const second = await spawnServer([], { TICKETS_DB: db, TICKETS_ACTOR: 'Claude' });
    const again = await ok(second.client, 'get_ticket', { id: created.ticketIdentifier });
    expect(again).toMatchObject({ status: 'pending', assignedAgent: 'claude', version: 2 });
    const history = await ok(second.client, 'get_ticket_history', { id: created.id });
    expect(history.events.map((e: any) => e.type)).toEqual(['created', 'assignment_changed', 'status_changed']);
    await second.client.close();
  });

  it('writes only protocol messages to stdout', async () => {
    const child = spawn(process.execPath, [CLI, '--db', await database('stdout.db'), '--log-level', 'debug'], { stdio: 'pipe' });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const messages = [
      initialize,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'create_ticket', arguments: { title: 'x' } } },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } },
    ];
    const ended = Date.now();
    child.stdin.end(messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    // It ends with its input: idle PostgreSQL connections do not hold it (they did for 10 s).
    expect(Date.now() - ended).toBeLessThan(5_000);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => l.id)).toEqual([1, 2, 3]);
    expect(lines.every((l) => l.jsonrpc === '2.0')).toBe(true);
    expect(lines[1].result.structuredContent.error.code).toBe('VALIDATION_ERROR');
  });

  it('shuts down cleanly on SIGTERM and SIGINT', async () => {
    const db = await database('signal.db');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(process.execPath, [CLI, '--db', db], { stdio: 'pipe' });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      while (!stderr.includes('ready on stdio')) await once(child.stderr, 'data');
      child.kill(signal);
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(stderr).toContain(`"reason":"${signal}"`);
    }
  });

  it('creates workspaces and keys, and lists them', async () => {
    const db = await database('admin.db');
    expect(run(['workspaces', 'create', 'acme', '--db', db]).status).toBe(0);
    expect(run(['workspaces', 'list', '--db', db]).stdout).toMatch(/^acme {2}0 tickets/m);
    const created = run(['keys', 'create', '--workspace', 'acme', '--actor', 'bob@example.com', '--db', db]);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^tmcp_\S+\n$/);
    const listed = run(['keys', 'list', '--db', db]);
    expect(listed.stdout).toMatch(/ {2}acme {2}bob@example\.com {2}read-write {2}active\n$/);
  });
});
