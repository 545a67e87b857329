import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, connect, log, ms, peakRssMb, percentile, storageReadBytes, timed, type Row } from './harness.js';
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
  /** get_ticket on the smallest database, timed in the same loop as `get`. */
  baselineGet: number[];
  list: number[];
  search: number[];
  create: number[];
  rssMb: number;
  /** Storage read by the server per get_ticket, in KB: its page-cache misses. */
  readKbPerGet: number;
  loadSeconds: number;
  dbMb: number;
}

/** A loaded database with its server: the smallest stays up, to be read between the reads of the others. */
interface Loaded {
  size: number;
  dir: string;
  db: string;
  server: Awaited<ReturnType<typeof connect>>;
  keyAt: (i: number) => string;
  loadSeconds: number;
}

const KEY_TEAMS = ['SUP', 'ENG', 'OPS'];

async function load(size: number): Promise<Loaded> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-scale-'));
  const db = join(dir, 'tickets.db');
  const loaded = await loadTickets(db, size);
  log(`scale ${size}: loaded ${loaded.tickets} tickets, ${loaded.comments} comments, ${loaded.events} events in ${loaded.seconds.toFixed(1)} s`);
  const server = await connect(process.execPath, [BIN, '--db', db, '--log-level', 'warn']);
  // Keys spread over each team's whole range, so old and new tickets are read alike.
  const keyAt = (i: number) => {
    const team = KEY_TEAMS[i % KEY_TEAMS.length]!;
    return `${team}-${1 + ((i * 7919) % loaded.ticketsPerTeam[team]!)}`;
  };
  return { size, dir, db, server, keyAt, loadSeconds: loaded.seconds };
}

async function getTicket(subject: Loaded, i: number): Promise<number> {
  const [got, elapsed] = await timed(() => subject.server.client.callTool({ name: 'get_ticket', arguments: { id: subject.keyAt(i) } }));
  if ((got as { isError?: boolean }).isError) throw new Error(`get_ticket ${subject.keyAt(i)} failed at ${subject.size} tickets`);
  return elapsed;
}

/**
 * The figures of one loaded database. With a baseline (the smallest database, still
 * served), each read is paired with a read of the baseline, so the two get_ticket
 * figures of a ratio share the machine's state.
 */
async function measure(subject: Loaded, samples: number, baseline?: Loaded): Promise<Figures> {
  const call = (name: string, args: Record<string, unknown>) => subject.server.client.callTool({ name, arguments: args });
  const figures: Figures = {
    get: [],
    baselineGet: [],
    list: [],
    search: [],
    create: [],
    rssMb: 0,
    readKbPerGet: 0,
    loadSeconds: subject.loadSeconds,
    dbMb: statSync(subject.db).size / 2 ** 20,
  };
  // Reads alone, taking turns with the baseline and swapping who goes first, so
  // neither server is always the one that has just been woken.
  const readBytesFrom = storageReadBytes(subject.server.pid);
  for (let i = 0; i < samples + 20; i++) {
    let getMs: number;
    let baselineMs: number;
    if (baseline && i % 2 === 1) {
      baselineMs = await getTicket(baseline, i);
      getMs = await getTicket(subject, i);
    } else {
      getMs = await getTicket(subject, i);
      baselineMs = baseline ? await getTicket(baseline, i) : getMs;
    }
    if (i >= 20) {
      figures.get.push(getMs);
      figures.baselineGet.push(baselineMs);
    }
  }
  figures.readKbPerGet = (storageReadBytes(subject.server.pid) - readBytesFrom) / 1024 / (samples + 20);
  for (let i = 0; i < samples + 20; i++) {
    const [, listMs] = await timed(() => call('list_tickets', LIST_FILTERS[i % LIST_FILTERS.length]!));
    const [, searchMs] = await timed(() => call('list_tickets', { search: SEARCH_WORDS[i % SEARCH_WORDS.length] }));
    if (i >= 20) {
      figures.list.push(listMs);
      figures.search.push(searchMs);
    }
  }
  for (let i = 0; i < samples; i++) {
    figures.create.push((await timed(() => call('create_ticket', { title: `Scale ${i}`, requestorEmail: `customer${i}@example.com`, teamId: 'OPS' })))[1]);
  }
  figures.rssMb = peakRssMb(subject.server.pid);
  return figures;
}

async function unload(subject: Loaded): Promise<void> {
  await subject.server.close();
  rmSync(subject.dir, { recursive: true, force: true });
}

const p = (values: number[]) => `${ms(percentile(values, 0.5))} / ${ms(percentile(values, 0.95))}`;

/**
 * At each size: get by key, filtered lists, full-text search and create, p50/p95 over
 * stdio, and the server's peak RSS; get by key also against the smallest size.
 */
export async function benchScale(sizes: number[], samples: number): Promise<Row[]> {
  const rows: Row[] = [];
  const smallest = await load(sizes[0]!);
  for (const size of sizes) {
    const subject = size === smallest.size ? smallest : await load(size);
    const baseline = subject === smallest ? undefined : smallest;
    const f = await measure(subject, samples, baseline);
    if (baseline) await unload(subject);
    const largest = size === sizes.at(-1);
    const section = `Scale: ${size.toLocaleString('en')} tickets (loaded in ${f.loadSeconds.toFixed(0)} s, ${f.dbMb.toFixed(0)} MB), p50 / p95 over stdio`;
    const getRatio = percentile(f.get, 0.5) / percentile(f.baselineGet, 0.5);
    rows.push(
      {
        section,
        measure: 'get_ticket by key',
        value: p(f.get),
        baseline: baseline ? `${baseline.size.toLocaleString('en')} tickets, read in the same rounds, p50: ${ms(percentile(f.baselineGet, 0.5))}` : '—',
        ratio: baseline ? getRatio : null,
        target: largest && baseline ? '≤ 1.5×' : '—',
        ...(largest && baseline && { met: getRatio <= 1.5 }),
      },
      // What a get costs beyond the CPU: on a machine whose page cache does not keep the whole file, the reads that go to storage.
      { section, measure: 'storage read per get_ticket (page-cache misses)', value: `${f.readKbPerGet.toFixed(1)} KB`, baseline: '—', ratio: null, target: '—' },
      { section, measure: 'list_tickets, 7 filter mixes', value: p(f.list), baseline: '—', ratio: null, target: largest ? 'p95 ≤ 10 ms' : '—', ...(largest && { met: percentile(f.list, 0.95) <= 10 }) },
      { section, measure: 'list_tickets, full-text search', value: p(f.search), baseline: '—', ratio: null, target: largest ? 'p95 ≤ 10 ms' : '—', ...(largest && { met: percentile(f.search, 0.95) <= 10 }) },
      { section, measure: 'create_ticket', value: p(f.create), baseline: '—', ratio: null, target: '—' },
      { section, measure: 'server peak RSS', value: `${f.rssMb.toFixed(0)} MB`, baseline: '—', ratio: null, target: largest ? '≤ 150 MB' : '—', ...(largest && { met: f.rssMb <= 150 }) },
    );
  }
  await unload(smallest);
  return rows;
}
