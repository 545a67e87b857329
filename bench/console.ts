import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BIN, inTurns, log, ms, percentile, timed, type Row } from './harness.js';
import { loadTickets } from './load.js';
import { admin, onPgDatabase } from './postgres.js';

/**
 * The console's list page at scale, beside list_tickets: one `serve --http` process on a
 * loaded database, the page fetched with a signed-in session and the tool called by an
 * MCP client with the same key, the same filter mixes taking turns, over loopback HTTP.
 * Then the page right after each change (the queue counts read again), and claim_next_ticket
 * on the loaded queue. On SQLite, then on a PostgreSQL copy of the same tickets.
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
  try {
    const loaded = await loadTickets(db, size);
    log(`console ${size}: loaded ${loaded.tickets} tickets in ${loaded.seconds.toFixed(1)} s`);
    // The copy is taken before the SQLite run changes anything, so both engines start from the same tickets.
    const both = await onPgDatabase('console on PostgreSQL', async (url) => {
      const copied = spawnSync(process.execPath, [BIN, 'migrate', '--from', db, '--to', url], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`migrate to PostgreSQL failed: ${copied.stderr}`);
      // What autovacuum does after a bulk load: statistics, and the visibility map index-only scans need.
      await admin('VACUUM ANALYZE', url);
      log(`console ${size}: copied to PostgreSQL`);
      return [...(await measureConsole('SQLite', db, size, samples)), ...(await measureConsole('PostgreSQL', url, size, samples))];
    });
    return both.length > 0 ? both : await measureConsole('SQLite', db, size, samples);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureConsole(engine: string, db: string, size: number, samples: number): Promise<Row[]> {
  const key = spawnSync(process.execPath, [BIN, 'keys', 'create', '--actor', 'lead@example.com', '--db', db], { encoding: 'utf8' }).stdout.trim();
  const server = await serve(db);
  const cookie = await signIn(server.origin, key);
  const client = new Client({ name: 'ticket-mcp-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  const page: number[] = [];
  const tool: number[] = [];
  /** The page right after a change: the queue counts are counted again. */
  const changed: number[] = [];
  const claims: number[] = [];
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
  const claim = async () => {
    const [result, elapsed] = await timed(() => client.callTool({ name: 'claim_next_ticket', arguments: {} }));
    const envelope = result.structuredContent as { status: boolean; message: string };
    // A refusal or an empty queue would be timed as a fast claim.
    if (!envelope.status || !envelope.message.startsWith('Claimed ')) throw new Error(`claim_next_ticket: ${envelope.message}`);
    return elapsed;
  };
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
    await claim();
    for (let i = 0; i < samples / 4; i++) claims.push(await claim());
  } finally {
    await client.close();
    await server.stop();
  }
  const section = `Console on ${engine}: ${size.toLocaleString('en')} tickets, one serve --http process, ${FILTERS.length} filter mixes, p50 / p95 over loopback HTTP`;
  const p50 = percentile(page, 0.5);
  const tool50 = percentile(tool, 0.5);
  const changed50 = percentile(changed, 0.5);
  const claim50 = percentile(claims, 0.5);
  return [
    {
      section,
      measure: 'list page (GET /, signed in: queues with counts, filters, 25 rows)',
      value: `${ms(p50)} / ${ms(percentile(page, 0.95))}`,
      baseline: `list_tickets over MCP, same filters: ${ms(tool50)} / ${ms(percentile(tool, 0.95))}`,
      ratio: p50 / tool50,
      target: 'p50 ≤ 20 ms',
      met: p50 <= 20,
    },
    {
      section,
      measure: 'list page right after a change (queue counts read again)',
      value: `${ms(changed50)} / ${ms(percentile(changed, 0.95))}`,
      baseline: `list page, counts kept: ${ms(p50)}`,
      ratio: changed50 / p50,
      target: 'p50 ≤ 20 ms',
      met: changed50 <= 20,
    },
    {
      section,
      measure: `claim_next_ticket over MCP (${claims.length} claims from the loaded queue)`,
      value: `${ms(claim50)} / ${ms(percentile(claims, 0.95))}`,
      baseline: `list_tickets over MCP: ${ms(tool50)}`,
      ratio: claim50 / tool50,
      target: '—',
    },
  ];
}
