import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addCpuTime, BIN, coldStart, connect, type CpuSpent, inTurns, log, median, ms, type Row, timed, us } from './harness.js';

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
  readonly cpu: CpuSpent = { server: 0, client: 0 };
}

/**
 * The same client code drives each server: `records` creates one at a time, then
 * reads of random records by id, then pings, then cold starts on the filled store.
 * The servers take turns (inTurns), TURN calls each, and so do the cold starts.
 */
export async function benchPeers(records: number, reads: number, coldRuns: number): Promise<Row[]> {
  installPeers();
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-peers-'));
  const all = subjects(dir);
  const servers: Awaited<ReturnType<typeof connect>>[] = [];
  for (const subject of all) servers.push(await connect(subject.command, subject.args, subject.env));
  const ids = all.map((): string[] => []);
  const samples = all.map(() => ({ create: new Sample(), read: new Sample(), ping: new Sample() }));

  /**
   * Calls `from` to `to` on each server, in turns, each answer checked after it is
   * timed. With a `kind`, the wall-clock times go into that sample, and the CPU time
   * of the server and of this client, turn by turn: what a server does while the
   * others take their turns (task-orchestrator's timers use ≈8 ms a second idle) is
   * not its calls' work.
   */
  async function callInTurns(
    from: number,
    to: number,
    kind: 'create' | 'read' | 'ping' | undefined,
    request: (s: number, i: number) => Promise<unknown>,
    check: (s: number, i: number, answer: unknown) => void = () => {},
  ) {
    await inTurns(all.length, from, to, TURN, (s, turnFrom, turnTo) => {
      const sample = kind && samples[s]![kind];
      return addCpuTime(sample ? sample.cpu : { server: 0, client: 0 }, servers[s]!.pid, async () => {
        for (let i = turnFrom; i < turnTo; i++) {
          const [answer, elapsed] = await timed(() => request(s, i));
          check(s, i, answer);
          sample?.ms.push(elapsed);
        }
      });
    });
  }

  const createRecord = (s: number, i: number) => servers[s]!.client.callTool(all[s]!.create(i));
  const keepId = (s: number, i: number, answer: unknown) => ids[s]!.push(all[s]!.idOf(answer, i));
  // The last tenth of the creates, in whole turns, is measured: creates into a store already near `records` records.
  const measuredFrom = Math.floor((records * 0.9) / TURN) * TURN;
  await callInTurns(0, measuredFrom, undefined, createRecord, keepId);
  await callInTurns(measuredFrom, records, 'create', createRecord, keepId);
  const readId = (s: number, i: number) => ids[s]![(i * 7919) % ids[s]!.length]!;
  await callInTurns(
    0,
    reads,
    'read',
    (s, i) => servers[s]!.client.callTool(all[s]!.read(readId(s, i))),
    (s, i, answer) => {
      if ((answer as { isError?: boolean }).isError || !text(answer).includes(readId(s, i))) {
        throw new Error(`${all[s]!.name}: reading ${readId(s, i)} failed: ${text(answer).slice(0, 200)}`);
      }
    },
  );
  // Pings on their own, so no read is measured on a server a ping just woke.
  await callInTurns(0, reads, 'ping', (s) => servers[s]!.client.ping());
  for (const server of servers) await server.close();
  const colds = all.map((): number[] => []);
  await inTurns(all.length, 0, coldRuns, 1, async (s) => {
    colds[s]!.push(await coldStart(all[s]!.command, all[s]!.args, all[s]!.env));
  });

  const results: PeerFigures[] = all.map((subject, s) => {
    const { create, read, ping } = samples[s]!;
    return {
      name: subject.name,
      create: median(create.ms),
      read: median(read.ms),
      ping: median(ping.ms),
      cold: median(colds[s]!),
      serverCreate: create.cpu.server / create.ms.length,
      serverRead: read.cpu.server / read.ms.length,
      clientRead: read.cpu.client / read.ms.length,
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
