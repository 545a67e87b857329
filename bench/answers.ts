/**
 * node dist/bench/answers.js [--bin PATH] [--batches 32] [--lines 2000]
 *
 * How much one small request can make the server answer and hold, measured on the
 * built bin (or another build, with --bin): a ticket with 20 comments of 20 KB each,
 *   1. one JSON-RPC batch of 100 get_ticket over HTTP from a read-only key: bytes answered;
 *   2. --batches such batches at once: the server's peak RSS, and its RSS once they are answered;
 *   3. a stdio client that sends --lines get_ticket lines and then stops reading: the server's RSS.
 * RSS is read from /proc/PID/status (VmRSS, and VmHWM for the peak).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BIN, connect, log } from './harness.js';

const { values } = parseArgs({ options: { bin: { type: 'string' }, batches: { type: 'string' }, lines: { type: 'string' } } });
const bin = values.bin ?? BIN;
const batches = Number(values.batches ?? 32);
const lines = Number(values.lines ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-answers-'));
const db = join(dir, 'answers.db');
const env = { PATH: process.env.PATH ?? '', HOME: dir };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

async function seed(): Promise<string> {
  const { client, close } = await connect(process.execPath, [bin, '--db', db], env);
  const created = await client.callTool({ name: 'create_ticket', arguments: { title: 'Long thread', requestorEmail: 'a@example.com' } });
  const key = (created.structuredContent as { data: { ticketIdentifier: string } }).data.ticketIdentifier;
  for (let i = 0; i < 20; i++) await client.callTool({ name: 'add_comment', arguments: { id: key, body: `${i} ${'x'.repeat(19_990)}` } });
  await close();
  return key;
}

async function http(ticket: string): Promise<void> {
  const made = spawnSync(process.execPath, [bin, 'keys', 'create', '--actor', 'reader@example.com', '--read-only', '--db', db], { encoding: 'utf8', env });
  const key = made.stdout.trim();
  const main = spawn(process.execPath, [bin, 'serve', '--http', '127.0.0.1:0', '--db', db], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let ready = '';
  while (!/"url":"[^"]+"/.test(ready)) ready += (await once(main.stderr, 'data'))[0];
  main.stderr.resume();
  const url = /"url":"([^"]+)"/.exec(ready)![1]!;
  const batch = JSON.stringify(
    Array.from({ length: 100 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: 'get_ticket', arguments: { id: ticket } } })),
  );
  const post = async () => {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
      body: batch,
    });
    const body = Buffer.from(await answer.arrayBuffer());
    let busy = 0;
    try {
      busy = (JSON.parse(body.toString()) as { result?: { structuredContent?: { error?: { code: string } } } }[]).filter(
        (a) => a.result?.structuredContent?.error?.code === 'BUSY',
      ).length;
    } catch {}
    return { status: answer.status, bytes: body.length, busy };
  };
  const one = await post();
  log(`1 batch of 100 get_ticket (${(Buffer.byteLength(batch) / 1024).toFixed(1)} KB asked): HTTP ${one.status}, ${mb(one.bytes)} answered, ${one.busy} BUSY`);
  const before = rss(main.pid!);
  const all = await Promise.all(Array.from({ length: batches }, post));
  const during = rss(main.pid!);
  await sleep(5_000);
  const after = rss(main.pid!);
  log(
    `${batches} batches at once: ${mb(all.reduce((s, a) => s + a.bytes, 0))} answered, ${all.reduce((s, a) => s + a.busy, 0)} BUSY; ` +
      `server RSS ${mb(before.now)} before, peak ${mb(during.peak)}, ${mb(after.now)} 5 s after`,
  );
  main.kill('SIGTERM');
  await once(main, 'exit');
}

async function stalledStdio(ticket: string): Promise<void> {
  const server = spawn(process.execPath, [bin, '--db', db, '--log-level', 'error'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  server.stdout.pause();
  const send = (message: unknown) => server.stdin.write(`${JSON.stringify(message)}\n`);
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stalled', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  for (let i = 1; i <= lines; i++) send({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'get_ticket', arguments: { id: ticket } } });
  let peak = 0;
  for (let s = 0; s < 10; s++) {
    await sleep(1_000);
    peak = Math.max(peak, rss(server.pid!).now);
  }
  const stalled = rss(server.pid!);
  // Now read everything: how many answers arrive, and whether the session survived.
  let answered = 0;
  let rest = '';
  server.stdout.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop()!;
    answered += parts.length;
  });
  server.stdout.resume();
  const deadline = Date.now() + 60_000;
  while (answered < lines + 1 && Date.now() < deadline && server.exitCode === null) await sleep(100);
  log(`stdio client stalled with ${lines} get_ticket sent: server RSS ${mb(stalled.now)} after 10 s (peak ${mb(Math.max(peak, stalled.peak))}); ${answered - 1} of ${lines} answered once it read${server.exitCode === null ? '' : ` (the server exited with ${server.exitCode})`}`);
  server.kill('SIGTERM');
}

try {
  const ticket = await seed();
  await http(ticket);
  await stalledStdio(ticket);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
