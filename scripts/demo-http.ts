/**
 * A team's shared server, shown end to end: API keys for two workspaces and a
 * read-only auditor, `ticket-mcp serve --http`, and real MCP clients over HTTP.
 *   npm run demo:http            (summaries)
 *   npm run demo:http -- --json  (every envelope in full)
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { section, show } from './transcript.js';

const CLI = fileURLToPath(new URL('../bin/ticket-mcp.cjs', import.meta.url));

function bin(db: string, ...args: string[]): string {
  console.log(`$ ticket-mcp ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [CLI, ...args, '--db', db], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  for (const line of result.stderr.trim().split('\n').filter(Boolean)) console.log(`  ${line}`);
  return result.stdout.trim();
}

async function connect(url: string, key: string): Promise<Client> {
  const client = new Client({ name: 'ticket-mcp-demo', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-demo-http-'));
  const db = join(dir, 'tickets.db');
  console.log(`ticket-mcp HTTP demo on ${db}`);

  section('Keys: one per agent, each tied to a workspace');
  bin(db, 'workspaces', 'create', 'globex');
  const alice = bin(db, 'keys', 'create', '--actor', 'alice@acme.example');
  console.log(`  → ${alice.slice(0, 11)}… (printed once, stored as a hash)`);
  const bob = bin(db, 'keys', 'create', '--actor', 'bob@globex.example', '--workspace', 'globex');
  const auditor = bin(db, 'keys', 'create', '--actor', 'auditor@acme.example', '--read-only');
  console.log(bin(db, 'keys', 'list').replace(/^/gm, '  '));

  section('Serve over Streamable HTTP');
  console.log('$ ticket-mcp serve --http 127.0.0.1:0');
  const server = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (chunk) => (log += chunk));
  while (!/ready on http[^\n]*\n/.test(log)) await once(server.stderr, 'data');
  const url = /"url":"([^"]+)"/.exec(log)![1]!;
  console.log(`  listening on ${url}`);
  const noKey = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  console.log(`  a request without a key: HTTP ${noKey.status}`);

  const [a, b, r] = [await connect(url, alice), await connect(url, bob), await connect(url, auditor)];
  try {
    section('Each workspace numbers and keeps its own tickets');
    const secret = await show('alice ', a, 'create_ticket', { title: 'Acme: renewal pricing question', requestorEmail: 'cfo@acme.example' });
    await show('alice ', a, 'add_tag', { ticketId: 'SUP-1', tagId: 'renewal' });
    await show('bob   ', b, 'create_ticket', { title: 'Globex: VPN drops hourly', requestorEmail: 'it@globex.example' });

    section("Globex cannot see, find or touch Acme's ticket: a foreign id reads exactly as a missing one");
    await show('bob   ', b, 'get_ticket', { id: secret.data.id });
    await show('bob   ', b, 'get_ticket', { id: 'tk_doesnotexist00' });
    await show('bob   ', b, 'list_tickets', { search: 'renewal pricing' });
    await show('bob   ', b, 'add_comment', { id: secret.data.id, body: 'hello?' });
    await show('bob   ', b, 'list_tags', {});

    section('A read-only key reads, and nothing else');
    console.log(`auditor tools: ${(await r.listTools()).tools.map((t) => t.name).join(', ')}`);
    await show('audit ', r, 'list_tickets', {});
    await show('audit ', r, 'delete_ticket', { id: 'SUP-1', confirm: true });
  } finally {
    await Promise.all([a.close(), b.close(), r.close()]);
    server.kill('SIGTERM');
    await once(server, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nDone. The server was stopped and the database removed.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
