import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server.js';
import { openSqliteEngine } from '../src/db/sqlite/engine.js';
import { TicketService } from '../src/service/service.js';
import { addCpuTime, BIN, connect, type CpuSpent, inTurns, log, median, percentile, timed, us, type Row } from './harness.js';

const TARGETS: Record<string, number | undefined> = { get_ticket: 1.3, create_ticket: 2.0 };

type Call = (name: string, args: Record<string, unknown>) => Promise<unknown>;

/** Rounds of ping, get_ticket, list_tickets, a full-text search, create_ticket and takeover, so all see the same conditions. */
export async function rounds(ping: () => Promise<unknown>, call: Call, count: number): Promise<Record<string, number[]>> {
  for (let i = 0; i < 200; i++) await call('create_ticket', { title: `Seed ticket ${i} about printers`, requestorEmail: `c${i % 20}@example.com` });
  const samples: Record<string, number[]> = { ping: [], get_ticket: [], list_tickets: [], search: [], create_ticket: [], takeover: [] };
  for (let i = 0; i < count + 100; i++) {
    const record = (name: string, elapsed: number) => i >= 100 && samples[name]!.push(elapsed);
    record('ping', (await timed(ping))[1]);
    record('get_ticket', (await timed(() => call('get_ticket', { id: `SUP-${1 + (i % 200)}` })))[1]);
    record('list_tickets', (await timed(() => call('list_tickets', { status: 'open', pageSize: 20 })))[1]);
    record('search', (await timed(() => call('list_tickets', { search: 'printers', pageSize: 20 })))[1]);
    const [created, createMs] = await timed(() => call('create_ticket', { title: `Latency ${i}`, requestorEmail: 'l@example.com' }));
    record('create_ticket', createMs);
    const key = (created as { structuredContent: { data: { ticketIdentifier: string } } }).structuredContent.data.ticketIdentifier;
    record('takeover', (await timed(() => call('takeover', { id: key })))[1]);
  }
  return samples;
}

/** Calls of each kind per turn, in the CPU time measure. */
const CPU_TURN = 100;

/**
 * CPU time per call over stdio, the server's (all its threads) and this client's, for
 * ping, get_ticket and create_ticket taking turns: what a call's wall-clock time is
 * made of on each side, which moves less from run to run than the wall clock does.
 */
async function cpuPerCall(server: Awaited<ReturnType<typeof connect>>, calls: number) {
  const kinds: [string, (i: number) => Promise<unknown>][] = [
    ['ping', () => server.client.ping()],
    ['get_ticket', (i) => server.client.callTool({ name: 'get_ticket', arguments: { id: `SUP-${1 + (i % 200)}` } })],
    ['create_ticket', (i) => server.client.callTool({ name: 'create_ticket', arguments: { title: `CPU ${i}`, requestorEmail: 'l@example.com' } })],
  ];
  const spent: CpuSpent[] = kinds.map(() => ({ server: 0, client: 0 }));
  await inTurns(kinds.length, 0, calls, CPU_TURN, (k, from, to) =>
    addCpuTime(spent[k]!, server.pid, async () => {
      for (let i = from; i < to; i++) await kinds[k]![1](i);
    }),
  );
  return kinds.map(([name], k) => ({ name, server: spent[k]!.server / calls, client: spent[k]!.client / calls }));
}

/**
 * Over stdio, one connection to the published bin: the figures the targets are
 * for, then the CPU time per call on that connection. Then the same rounds through
 * the SDK's in-memory transport, in this process:
 * what a call costs without the pipe, the process boundary and the second JSON
 * parse, which shows what the stdio figures are made of.
 */
export async function benchLatency(count: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-latency-'));
  const server = await connect(process.execPath, [BIN, '--db', join(dir, 'stdio.db'), '--log-level', 'warn']);
  const stdio = await rounds(() => server.client.ping(), (name, args) => server.client.callTool({ name, arguments: args }), count);
  const cpu = await cpuPerCall(server, count);
  await server.close();

  const service = new TicketService(openSqliteEngine(join(dir, 'memory.db')));
  const workspaceId = await service.ensureWorkspace();
  const caller = { workspaceId, agentId: (await service.resolveActor(workspaceId, undefined)).id };
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createServer(service, { caller, log: createLogger('warn') }).connect(serverSide);
  const client = new Client({ name: 'ticket-mcp-bench', version: '1.0.0' });
  await client.connect(clientSide);
  await client.listTools();
  const memory = await rounds(() => client.ping(), (name, args) => client.callTool({ name, arguments: args }), count);
  await client.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });

  const rows: Row[] = [];
  for (const [transport, samples] of [['stdio', stdio], ['in-memory', memory]] as const) {
    const ping = median(samples.ping!);
    const section =
      transport === 'stdio'
        ? `Per-call latency over stdio (${count} rounds, one connection to the published bin)`
        : `The same calls through the SDK's in-memory transport, in-process (no pipe, no second process)`;
    for (const [name, values] of Object.entries(samples)) {
      const p50 = median(values);
      const target = transport === 'stdio' ? TARGETS[name] : undefined;
      log(`latency ${transport} ${name}: p50 ${us(p50)}, p99 ${us(percentile(values, 0.99))}`);
      rows.push({
        section,
        measure: `${name} p50 (p99)`,
        value: `${us(p50)} (${us(percentile(values, 0.99))})`,
        baseline: name === 'ping' ? '—' : `ping p50: ${us(ping)}`,
        ratio: name === 'ping' ? null : p50 / ping,
        target: target === undefined ? '—' : `≤ ${target.toFixed(1)}×`,
        ...(target !== undefined && { met: p50 / ping <= target }),
      });
    }
  }
  const [ping, ...calls] = cpu;
  const section = `CPU time per call over stdio (${count} calls of each, taking turns, on the same connection)`;
  for (const side of ['server', 'client'] as const) {
    log(`cpu per call ${side}: ${cpu.map((c) => `${c.name} ${us(c[side])}`).join(', ')}`);
    rows.push({ section, measure: `${side} CPU per ping`, value: us(ping![side]), baseline: '—', ratio: null, target: '—' });
    for (const call of calls) {
      rows.push({
        section,
        measure: `${side} CPU per ${call.name}`,
        value: us(call[side]),
        baseline: `${side} CPU per ping: ${us(ping![side])}`,
        ratio: call[side] / ping![side],
        target: '—',
      });
    }
  }
  return rows;
}
