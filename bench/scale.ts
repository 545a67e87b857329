import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, connect, log, ms, peakRssMb, percentile, timed, type Row } from './harness.js';
import { loadTickets } from './load.js';

const SEARCH_WORDS = ['login', 'invoice timeout', 'checkout', 'refund', 'webhook retry', 'printer', 'sso safari', 'export', 'vpn proxy', 'payment card'];
const LIST_FILTERS = [
  { status: ['open', 'pending'], team: 'ENG' },
  { assignee: 'agent7@example.com' },
  { tag: 'outage', status: 'open' },
  { priority: 'Urgent', status: ['open', 'pending'] },
  { status: 'pending' },
  { requestor: 'customer42@example.com' },
  {},
];

interface Figures {
  get: number[];
  list: number[];
  search: number[];
  create: number[];
  rssMb: number;
  loadSeconds: number;
  dbMb: number;
}

async function measure(size: number, samples: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-scale-'));
  const db = join(dir, 'tickets.db');
  const loaded = await loadTickets(db, size);
  log(`scale ${size}: loaded ${loaded.tickets} tickets, ${loaded.comments} comments, ${loaded.events} events in ${loaded.seconds.toFixed(1)} s`);
  const server = await connect(process.execPath, [BIN, '--db', db, '--log-level', 'warn']);
  const call = (name: string, args: Record<string, unknown>) => server.client.callTool({ name, arguments: args });
  const figures: Figures = { get: [], list: [], search: [], create: [], rssMb: 0, loadSeconds: loaded.seconds, dbMb: statSync(db).size / 2 ** 20 };
  const keys = ['SUP', 'ENG', 'OPS'];
  for (let i = 0; i < samples + 20; i++) {
    const warm = i < 20;
    const team = keys[i % keys.length]!;
    // Keys spread over each team's whole range, so old and new tickets are read alike.
    const key = `${team}-${1 + ((i * 7919) % loaded.ticketsPerTeam[team]!)}`;
    const [got, getMs] = await timed(() => call('get_ticket', { id: key }));
    if ((got as { isError?: boolean }).isError) throw new Error(`get_ticket ${key} failed`);
    const [, listMs] = await timed(() => call('list_tickets', LIST_FILTERS[i % LIST_FILTERS.length]!));
    const [, searchMs] = await timed(() => call('list_tickets', { search: SEARCH_WORDS[i % SEARCH_WORDS.length] }));
    if (!warm) {
      figures.get.push(getMs);
      figures.list.push(listMs);
      figures.search.push(searchMs);
    }
  }
  for (let i = 0; i < samples; i++) {
    figures.create.push((await timed(() => call('create_ticket', { title: `Scale ${i}`, requestorEmail: `customer${i}@example.com`, teamId: 'OPS' })))[1]);
  }
  figures.rssMb = peakRssMb(server.pid);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

const p = (values: number[]) => `${ms(percentile(values, 0.5))} / ${ms(percentile(values, 0.95))}`;

/** At each size: get by key, filtered lists, full-text search and create, p50/p95 over stdio, and the server's peak RSS. */
export async function benchScale(sizes: number[], samples: number): Promise<Row[]> {
  const rows: Row[] = [];
  let smallest: Figures | undefined;
  for (const size of sizes) {
    const f = await measure(size, samples);
    smallest ??= f;
    const largest = size === sizes.at(-1);
    const section = `Scale: ${size.toLocaleString('en')} tickets (loaded in ${f.loadSeconds.toFixed(0)} s, ${f.dbMb.toFixed(0)} MB), p50 / p95 over stdio`;
    const getRatio = percentile(f.get, 0.5) / percentile(smallest.get, 0.5);
    rows.push(
      {
        section,
        measure: 'get_ticket by key',
        value: p(f.get),
        baseline: size === sizes[0] ? '—' : `${sizes[0]!.toLocaleString('en')} tickets p50: ${ms(percentile(smallest.get, 0.5))}`,
        ratio: size === sizes[0] ? null : getRatio,
        target: largest && size !== sizes[0] ? '≤ 1.5×' : '—',
        ...(largest && size !== sizes[0] && { met: getRatio <= 1.5 }),
      },
      { section, measure: 'list_tickets, 7 filter mixes', value: p(f.list), baseline: '—', ratio: null, target: largest ? 'p95 ≤ 10 ms' : '—', ...(largest && { met: percentile(f.list, 0.95) <= 10 }) },
      { section, measure: 'list_tickets, full-text search', value: p(f.search), baseline: '—', ratio: null, target: largest ? 'p95 ≤ 10 ms' : '—', ...(largest && { met: percentile(f.search, 0.95) <= 10 }) },
      { section, measure: 'create_ticket', value: p(f.create), baseline: '—', ratio: null, target: '—' },
      { section, measure: 'server peak RSS', value: `${f.rssMb.toFixed(0)} MB`, baseline: '—', ratio: null, target: largest ? '≤ 150 MB' : '—', ...(largest && { met: f.rssMb <= 150 }) },
    );
  }
  return rows;
}
