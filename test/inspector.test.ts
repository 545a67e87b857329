import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from './helpers.js';

/** The MCP Inspector's CLI (@modelcontextprotocol/inspector@2.12.0, pinned in devDependencies) driving the built server. */
const INSPECTOR = fileURLToPath(new URL('../node_modules/.bin/mcp-inspector', import.meta.url));
const { dir, cleanup } = tempDir();
afterAll(cleanup);

const db = join(dir, 'inspected.db');
// The Inspector keeps a catalog under HOME; keep it in the test folder.
const env = { PATH: process.env.PATH ?? '', HOME: dir };

function inspect(target: string[], ...args: string[]) {
  const result = spawnSync(INSPECTOR, ['--cli', ...target, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

const stdio = [process.execPath, CLI, '--db', db];

describe('the MCP Inspector CLI', () => {
  it('lists the tools of the stdio server, with portable input schemas', () => {
    const listed = inspect(stdio, '--method', 'tools/list', '--strict');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json().tools).toHaveLength(26);
    expect(listed.stderr).toMatch(/^0 errors, \d+ warnings across/m);
    expect(listed.stderr).not.toContain('Path: inputSchema');
  });

  it('calls tools and reads the ticket resource over stdio', () => {
    const created = inspect(stdio, '--method', 'tools/call', '--tool-name', 'create_ticket', '--tool-arg', 'title=Disk full', '--tool-arg', 'requestorEmail=bob@example.com');
    expect(created.code, created.stderr).toBe(0);
    expect(created.json().structuredContent).toMatchObject({ status: true, data: { ticketIdentifier: 'SUP-1', title: 'Disk full' } });
    const read = inspect(stdio, '--method', 'resources/read', '--uri', 'ticket://SUP-1');
    expect(read.code, read.stderr).toBe(0);
    expect(read.json().contents[0].text).toContain('# SUP-1: Disk full');
    const refused = inspect(stdio, '--method', 'tools/call', '--tool-name', 'set_ticket_status', '--tool-arg', 'id=SUP-1', '--tool-arg', 'status=closed');
    expect(refused.code).toBe(5);
    expect(refused.json().structuredContent.error.code).toBe('INVALID_TRANSITION');
  });

  it('talks to the HTTP server with an API key', async () => {
    const key = spawnSync(process.execPath, [CLI, 'keys', 'create', '--actor', 'inspector@example.com', '--db', db], { encoding: 'utf8', env }).stdout.trim();
    const server = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr!.on('data', (chunk) => (log += chunk));
    while (!/ready on http[^\n]*\n/.test(log)) await once(server.stderr!, 'data');
    const url = /"url":"([^"]+)"/.exec(log)![1]!;
    try {
      const listed = inspect([url], '--transport', 'http', '--header', `Authorization: Bearer ${key}`, '--method', 'tools/call', '--tool-name', 'list_tickets');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.json().structuredContent.data.tickets.map((t: { key: string }) => t.key)).toEqual(['SUP-1']);
      const denied = inspect([url], '--transport', 'http', '--method', 'tools/list');
      expect(denied.code).not.toBe(0);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });
});
