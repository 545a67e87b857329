import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, coldStart, connect, cpuTimeMs, inTurns, log, median, ms, ownCpuTimeMs, type Row, timed, us } from './harness.js';

const PEERS = fileURLToPath(new URL('../../bench/peers/', import.meta.url));

interface Subject {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  create(i: number): { name: string; arguments: Record<string, unknown> };
  /** The id to read the record back by, from its create answer. */
  idOf(answer: unknown, i: number): string;
  read(id: string): { name: string; arguments: Record<string, unknown> };
}

const text = (answer: unknown) => (answer as { content: { text: string }[] }).content[0]!.text;

function subjects(dir: string): Subject[] {
  const bin = (name: string) => join(PEERS, 'node_modules', '.bin', name);
  return [
    {
      name: 'ticket-mcp',
      command: process.execPath,
      args: [BIN, '--db', join(dir, 'tickets.db'), '--log-level', 'warn'],
      env: {},
      create: (i) => ({ name: 'create_ticket', arguments: { title: `Record ${i}`, requestorEmail: `c${i % 100}@example.com` } }),
      idOf: (answer) => (answer as { structuredContent: { data: { id: string } } }).structuredContent.data.id,
      read: (id) => ({ name: 'get_ticket', arguments: { id } }),
    },
    {
      name: '@modelcontextprotocol/server-memory',
      command: process.execPath,
      args: [join(PEERS, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js')],
      env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') },
      create: (i) => ({ name: 'create_entities', arguments: { entities: [{ name: `record-${i}`, entityType: 'ticket', observations: [`Record ${i}`] }] } }),
      idOf: (_answer, i) => `record-${i}`,
      read: (id) => ({ name: 'open_nodes', arguments: { names: [id] } }),
    },
    {
      name: '@allpepper/task-orchestrator (Bun)',
      command: bin('bun'),
      args: [join(PEERS, 'node_modules', '@allpepper', 'task-orchestrator', 'src', 'server.ts')],
      env: { HOME: join(dir, 'orchestrator-home') },
      create: (i) => ({
        name: 'manage_container',
        arguments: { operation: 'create', containerType: 'task', title: `Record ${i}`, summary: `Record ${i}`, priority: 'MEDIUM', complexity: 3 },
      }),
      idOf: (answer) => (JSON.parse(text(answer)) as { data: { task: { id: string } } }).data.task.id,
      read: (id) => ({ name: 'query_container', arguments: { operation: 'get', containerType: 'task', id } }),
    },
  ];
}

function installPeers(): void {
  if (existsSync(join(PEERS, 'node_modules', '.bin', 'bun'))) return;
  log('installing the peers into bench/peers (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEERS, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('could not install the benchmark peers');
}

/** One server's figures: medians in ms, and CPU time per call in ms. */
interface PeerFigures {
  name: string;
  create: number;
  read: number;
  ping: number;
  cold: number;
  serverCreate: number;
  serverRead: number;
  clientRead: number;
}

/** Calls per turn: each server gets this many calls in a row, then the next server its turn. */
const TURN = 100;

/** Wall-clock times and CPU time (server's and this client's) of one kind of call on one server. */
class Sample {
  readonly ms: number[] = [];
  serverCpu = 0;
  clientCpu = 0;
}

/**
 * The same client code drives each server: `records` creates one at a time, then
 * reads of random records by id, then pings, then cold starts on the filled store.
 * The servers take turns (inTurns), TURN calls each; the cold starts alternate too.
 */
export async function benchPeers(records: number, reads: number, coldRuns: number): Promise<Row[]> {
  installPeers();
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-peers-'));
  const all = subjects(dir);
  const servers: Awaited<ReturnType<typeof connect>>[] = [];
  for (const subject of all) servers.push(await connect(subject.command, subject.args, subject.env));
  const ids = all.map((): string[] => []);
  const samples = all.map(() => ({ create: new Sample(), read: new Sample(), ping: new Sample() }));

  /** `count` calls on each server, in turns; `measured` says which are timed into the sample of `kind`. */
  const callInTurns = (count: number, kind: 'create' | 'read' | 'ping', call: (s: number, i: number) => Promise<unknown>, measured = (_i: number) => true) =>
    inTurns(all.length, count, TURN, async (s, from, to) => {
      const sample = samples[s]![kind];
      const pid = servers[s]!.pid;
      const cpuFrom = { server: cpuTimeMs(pid), client: ownCpuTimeMs() };
      let timedCalls = 0;
      for (let i = from; i < to; i++) {
        const [, elapsed] = await timed(() => call(s, i));
        if (measured(i)) {
          sample.ms.push(elapsed);
          timedCalls++;
        }
      }
      // A turn is measured whole or not at all (measuredFrom falls between turns), so its CPU time is the measured calls'.
      if (timedCalls > 0) {
        sample.serverCpu += cpuTimeMs(pid) - cpuFrom.server;
        sample.clientCpu += ownCpuTimeMs() - cpuFrom.client;
      }
    });

  // The last tenth of the creates, in whole turns, is measured: creates into a store already near `records` records.
  const measuredFrom = records - Math.max(1, Math.floor(records / 10 / TURN)) * TURN;
  await callInTurns(
    records,
    'create',
    async (s, i) => ids[s]!.push(all[s]!.idOf(await servers[s]!.client.callTool(all[s]!.create(i)), i)),
    (i) => i >= measuredFrom,
  );
  await callInTurns(reads, 'read', async (s, i) => {
    const id = ids[s]![(i * 7919) % ids[s]!.length]!;
    const answer = await servers[s]!.client.callTool(all[s]!.read(id));
    if ((answer as { isError?: boolean }).isError || !text(answer).includes(id)) {
      throw new Error(`${all[s]!.name}: reading ${id} failed: ${text(answer).slice(0, 200)}`);
    }
  });
  // Pings on their own, so no read is measured on a server a ping just woke.
  await callInTurns(reads, 'ping', (s) => servers[s]!.client.ping());
  for (const server of servers) await server.close();
  const colds = all.map((): number[] => []);
  for (let run = 0; run < coldRuns; run++) {
    for (const [s, subject] of all.entries()) colds[s]!.push(await coldStart(subject.command, subject.args, subject.env));
  }

  const results: PeerFigures[] = all.map((subject, s) => {
    const { create, read, ping } = samples[s]!;
    return {
      name: subject.name,
      create: median(create.ms),
      read: median(read.ms),
      ping: median(ping.ms),
      cold: median(colds[s]!),
      serverCreate: create.serverCpu / create.ms.length,
      serverRead: read.serverCpu / read.ms.length,
      clientRead: read.clientCpu / read.ms.length,
    };
  });
  for (const r of results) {
    log(
      `peer ${r.name}: create p50 ${ms(r.create)}, read p50 ${ms(r.read)}, ping p50 ${ms(r.ping)}, ` +
        `cold start ${ms(r.cold)}; server CPU per create ${us(r.serverCreate)}, per read ${us(r.serverRead)}; client CPU per read ${us(r.clientRead)}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const [ours, ...peers] = results;
  const rows: Row[] = [];
  for (const peer of peers) {
    const section = `Peers at ${records.toLocaleString('en')} records: ticket-mcp vs ${peer.name} (same client code)`;
    for (const [measure, key, targeted, unit] of [
      [`create p50 (last ${records - measuredFrom})`, 'create', true, ms],
      [`read by id p50 (${reads} reads)`, 'read', true, ms],
      ['cold start p50 (spawn → tools/list)', 'cold', true, ms],
      // No target: a ping does no work, so this is each runtime's round trip, the floor under create and read.
      [`ping p50 (${reads} pings)`, 'ping', false, ms],
      // No targets: what the wall-clock figures above are made of, server and client side.
      ['server CPU per create (same creates)', 'serverCreate', false, us],
      ['server CPU per read (same reads)', 'serverRead', false, us],
      ['client CPU per read (same reads)', 'clientRead', false, us],
    ] as const) {
      rows.push({
        section,
        measure,
        value: unit(ours![key]),
        baseline: `${peer.name}: ${unit(peer[key])}`,
        ratio: ours![key] / peer[key],
        target: targeted ? '< 1.0×' : '—',
        ...(targeted && { met: ours![key] < peer[key] }),
      });
    }
  }
  return rows;
}
