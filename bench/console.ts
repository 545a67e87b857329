import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BIN, inTurns, log, ms, percentile, timed, type Row } from './harness.js';
import { loadTickets } from './load.js';

/**
 * The console's list page at scale, beside list_tickets: one `serve --http` process on a
 * loaded database, the page fetched with a signed-in session and the tool called by an
 * MCP client with the same key, the same filter mixes taking turns, over loopback HTTP.
 */
const FILTERS: Record<string, string>[] = [
  { status: 'open,pending', team: 'ENG' },
  { assignee: 'agent7@example.com' },
  { tag: 'outage', status: 'open' },
  { priority: 'Urgent', status: 'open,pending' },
  { status: 'pending' },
  { q: 'refund' },
  {},
];
const asTool = (f: Record<string, string>) => {
  const { q, status, ...rest } = f;
  return { ...rest, ...(q && { search: q }), ...(status && { status: status.includes(',') ? status.split(',') : status }) };
};

async function serve(db: string): Promise<{ origin: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--http', '127.0.0.1:0', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr.on('data', (chunk) => (out += chunk));
  while (!/"url":"([^"]+)"/.test(out)) await once(child.stderr, 'data');
  const origin = /"url":"([^"]+)"/.exec(out)![1]!.replace(/\/mcp$/, '');
  return { origin, stop: async () => (child.kill('SIGTERM'), void (await once(child, 'exit'))) };
}

async function signIn(origin: string, key: string): Promise<string> {
  const answer = await fetch(`${origin}/signin`, { method: 'POST', redirect: 'manual', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ key }) });
  if (answer.status !== 303) throw new Error(`console sign-in answered ${answer.status}`);
  return answer.headers.get('set-cookie')!.split(';')[0]!;
}

export async function benchConsole(size: number, samples: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-console-'));
  const db = join(dir, 'tickets.db');
  const loaded = await loadTickets(db, size);
  log(`console ${size}: loaded ${loaded.tickets} tickets in ${loaded.seconds.toFixed(1)} s`);
  const key = spawnSync(process.execPath, [BIN, 'keys', 'create', '--actor', 'lead@example.com', '--db', db], { encoding: 'utf8' }).stdout.trim();
  const server = await serve(db);
  const cookie = await signIn(server.origin, key);
  const client = new Client({ name: 'ticket-mcp-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  const page: number[] = [];
  const tool: number[] = [];
  /** The page right after a change: the queue counts are counted again. */
  const changed: number[] = [];
  const fetchPage = async (i: number) => {
    const [answer, elapsed] = await timed(async () => {
      const res = await fetch(`${server.origin}/?${new URLSearchParams(FILTERS[i % FILTERS.length])}`, { headers: { cookie } });
      await res.text();
      return res;
    });
    if (answer.status !== 200) throw new Error(`list page answered ${answer.status}`);
    return elapsed;
  };
  const callTool = async (i: number) => (await timed(() => client.callTool({ name: 'list_tickets', arguments: asTool(FILTERS[i % FILTERS.length]!) })))[1];
  try {
    // Warm both, then take turns so a slow patch of the machine falls on both alike.
    for (let i = 0; i < 2 * FILTERS.length; i++) await Promise.all([fetchPage(i), callTool(i)]);
    await inTurns(2, 0, samples, 5, async (party, from, to) => {
      for (let i = from; i < to; i++) (party === 0 ? page : tool).push(party === 0 ? await fetchPage(i) : await callTool(i));
    });
    for (let i = 0; i < samples / 4; i++) {
      await client.callTool({ name: 'create_ticket', arguments: { title: `Bench change ${i}`, requestorEmail: 'bench@example.com' } });
      changed.push(await fetchPage(i));
    }
  } finally {
    await client.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const section = `Console: ${size.toLocaleString('en')} tickets, one serve --http process, ${FILTERS.length} filter mixes, p50 / p95 over loopback HTTP`;
  const p50 = percentile(page, 0.5);
  return [
    {
      section,
      measure: 'list page (GET /, signed in: queues with counts, filters, 25 rows)',
      value: `${ms(p50)} / ${ms(percentile(page, 0.95))}`,
      baseline: `list_tickets over MCP, same filters: ${ms(percentile(tool, 0.5))} / ${ms(percentile(tool, 0.95))}`,
      ratio: p50 / percentile(tool, 0.5),
      target: 'p50 ≤ 20 ms',
      met: p50 <= 20,
    },
    {
      section,
      measure: 'list page right after a change (queue counts read again)',
      value: `${ms(percentile(changed, 0.5))} / ${ms(percentile(changed, 0.95))}`,
      baseline: '—',
      ratio: null,
      target: '—',
    },
  ];
}
