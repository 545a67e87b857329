import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, connect, log, median, percentile, timed, us, type Row } from './harness.js';

const TARGETS: Record<string, number | undefined> = { get_ticket: 1.3, create_ticket: 2.0 };

/**
 * One connection over stdio; each round calls ping, get_ticket, list_tickets,
 * create_ticket and takeover once, so all see the same conditions.
 */
export async function benchLatency(rounds: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-latency-'));
  const server = await connect(process.execPath, [BIN, '--db', join(dir, 'tickets.db'), '--log-level', 'warn']);
  const call = (name: string, args: Record<string, unknown>) => server.client.callTool({ name, arguments: args });
  for (let i = 0; i < 200; i++) await call('create_ticket', { title: `Seed ticket ${i} about printers`, requestorEmail: `c${i % 20}@example.com` });
  const samples: Record<string, number[]> = { ping: [], get_ticket: [], list_tickets: [], create_ticket: [], takeover: [] };
  for (let i = 0; i < rounds + 100; i++) {
    const warm = i < 100;
    const record = (name: string, elapsed: number) => !warm && samples[name]!.push(elapsed);
    record('ping', (await timed(() => server.client.ping()))[1]);
    record('get_ticket', (await timed(() => call('get_ticket', { id: `SUP-${1 + (i % 200)}` })))[1]);
    record('list_tickets', (await timed(() => call('list_tickets', { status: 'open', pageSize: 20 })))[1]);
    const [created, createMs] = await timed(() => call('create_ticket', { title: `Latency ${i}`, requestorEmail: 'l@example.com' }));
    record('create_ticket', createMs);
    const key = (created.structuredContent as { data: { ticketIdentifier: string } }).data.ticketIdentifier;
    record('takeover', (await timed(() => call('takeover', { id: key })))[1]);
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  const ping = median(samples.ping!);
  const section = `Per-call latency over stdio (${rounds} rounds, one connection)`;
  return Object.entries(samples).map(([name, values]) => {
    const p50 = median(values);
    const target = TARGETS[name];
    log(`latency ${name}: p50 ${us(p50)}, p99 ${us(percentile(values, 0.99))}`);
    return {
      section,
      measure: `${name} p50 (p99)`,
      value: `${us(p50)} (${us(percentile(values, 0.99))})`,
      baseline: name === 'ping' ? '—' : `ping p50: ${us(ping)}`,
      ratio: name === 'ping' ? null : p50 / ping,
      target: target === undefined ? '—' : `≤ ${target.toFixed(1)}×`,
      ...(target !== undefined && { met: p50 / ping <= target }),
    };
  });
}
