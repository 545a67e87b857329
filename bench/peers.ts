import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, coldStart, connect, cpuTimeMs, log, median, ms, ownCpuTimeMs, type Row, timed, us } from './harness.js';

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

/**
 * The same client code drives each server: `records` creates one at a time, then
 * reads of random records by id, then a cold start on the filled store.
 */
export async function benchPeers(records: number, reads: number, coldRuns: number): Promise<Row[]> {
  installPeers();
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-peers-'));
  const results: PeerFigures[] = [];
  for (const subject of subjects(dir)) {
    const server = await connect(subject.command, subject.args, subject.env);
    const ids: string[] = [];
    const createMs: number[] = [];
    // The last tenth of the creates is measured: creates into a store already near `records` records.
    const measuredFrom = Math.ceil(records * 0.9);
    // CPU time per call, the server's and this client's: where a call's time goes, which the wall clock does not say.
    const cpuNow = () => ({ server: cpuTimeMs(server.pid), client: ownCpuTimeMs() });
    const cpuPerCall = (from: { server: number; client: number }, calls: number) => {
      const now = cpuNow();
      return { server: (now.server - from.server) / calls, client: (now.client - from.client) / calls };
    };
    let createCpuFrom = cpuNow();
    for (let i = 0; i < records; i++) {
      if (i === measuredFrom) createCpuFrom = cpuNow();
      const request = subject.create(i);
      const [answer, elapsed] = await timed(() => server.client.callTool(request));
      ids.push(subject.idOf(answer, i));
      if (i >= measuredFrom) createMs.push(elapsed);
    }
    const createCpu = cpuPerCall(createCpuFrom, createMs.length);
    const readMs: number[] = [];
    const readCpuFrom = cpuNow();
    for (let i = 0; i < reads; i++) {
      const id = ids[(i * 7919) % ids.length]!;
      const [answer, elapsed] = await timed(() => server.client.callTool(subject.read(id)));
      if ((answer as { isError?: boolean }).isError || !text(answer).includes(id)) {
        throw new Error(`${subject.name}: reading ${id} failed: ${text(answer).slice(0, 200)}`);
      }
      readMs.push(elapsed);
    }
    const readCpu = cpuPerCall(readCpuFrom, reads);
    // Pings on their own, so no read is measured on a server a ping just woke.
    const pingMs: number[] = [];
    for (let i = 0; i < reads; i++) pingMs.push((await timed(() => server.client.ping()))[1]);
    await server.close();
    const colds: number[] = [];
    for (let i = 0; i < coldRuns; i++) colds.push(await coldStart(subject.command, subject.args, subject.env));
    results.push({
      name: subject.name,
      create: median(createMs),
      read: median(readMs),
      ping: median(pingMs),
      cold: median(colds),
      serverCreate: createCpu.server,
      serverRead: readCpu.server,
      clientRead: readCpu.client,
    });
    log(
      `peer ${subject.name}: create p50 ${ms(median(createMs))}, read p50 ${ms(median(readMs))}, ping p50 ${ms(median(pingMs))}, ` +
        `cold start ${ms(median(colds))}; server CPU per create ${us(createCpu.server)}, per read ${us(readCpu.server)}; client CPU per read ${us(readCpu.client)}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const [ours, ...peers] = results;
  const rows: Row[] = [];
  for (const peer of peers) {
    const section = `Peers at ${records.toLocaleString('en')} records: ticket-mcp vs ${peer.name} (same client code)`;
    for (const [measure, key, targeted, unit] of [
      [`create p50 (last ${records / 10})`, 'create', true, ms],
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
