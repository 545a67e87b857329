import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** The published bin, as `npm run build` makes it. */
export const BIN = fileURLToPath(new URL('../bin/ticket-mcp.cjs', import.meta.url));

/** One figure of the results table: a measure, the baseline measured in the same run, and how they compare. */
export interface Row {
  section: string;
  measure: string;
  value: string;
  baseline: string;
  ratio: number | null;
  target: string;
  /** undefined: no target for this row. */
  met?: boolean;
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
};
export const median = (values: number[]) => percentile(values, 0.5);

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const us = (value: number) => `${Math.round(value * 1000)} µs`;

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** An MCP client on a server process over stdio: the same client code for ticket-mcp and its peers. */
export async function connect(command: string, args: string[], env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({ command, args, env: { ...(process.env as Record<string, string>), ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'ticket-mcp-bench', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return { client, pid: transport.pid!, close: () => client.close() };
}

/**
 * Calls `from` to `to` for each of `parties` (servers, or kinds of call), `turn` at a
 * time: each party gets a turn, then the next one, and each round starts one party
 * later. A slow patch of this shared machine then falls on all of them alike, not on
 * whichever happened to be measured.
 */
export async function inTurns(parties: number, from: number, to: number, turn: number, run: (party: number, from: number, to: number) => Promise<void>) {
  for (let start = from, round = 0; start < to; start += turn, round++) {
    for (let k = 0; k < parties; k++) await run((round + k) % parties, start, Math.min(to, start + turn));
  }
}

/** Calls a tool and times it, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/**
 * CPU time a process has used so far, all its threads, in milliseconds: the sum of
 * each thread's time on a CPU from /proc (schedstat, in nanoseconds; the tick-based
 * counters of /proc/<pid>/stat are too coarse for a few hundred calls).
 */
export function cpuTimeMs(pid: number): number {
  let nanoseconds = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read; its time is no longer counted anywhere.
    }
  }
  return nanoseconds / 1e6;
}

/** CPU time this process has used so far, in milliseconds. */
export function ownCpuTimeMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU time in milliseconds: a server process's (all its threads) and this client's. */
export interface CpuSpent {
  server: number;
  client: number;
}

/** Runs `work` and adds the CPU time it took, on the server `pid` and in this client, to `spent`. */
export async function addCpuTime(spent: CpuSpent, pid: number, work: () => Promise<void>): Promise<void> {
  const server = cpuTimeMs(pid);
  const client = ownCpuTimeMs();
  await work();
  spent.server += cpuTimeMs(pid) - server;
  spent.client += ownCpuTimeMs() - client;
}

/** Bytes a process has had read from storage so far (/proc io read_bytes): its reads the page cache did not hold. */
export function storageReadBytes(pid: number): number {
  return Number(/^read_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

/** Peak resident memory of a process, from /proc (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ticket-mcp-bench', version: '1' } },
});
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });

/** Spawn → initialize → tools/list answered, in milliseconds: what an agent runtime waits for. */
export function coldStart(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...(process.env as Record<string, string>), ...env } });
    let out = '';
    let answered = false;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!answered && /"id":2[,}]/.test(out) && out.endsWith('\n')) {
        answered = true;
        const elapsed = performance.now() - started;
        child.kill('SIGKILL');
        resolve(elapsed);
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      if (!answered) reject(new Error(`${command} ${args.join(' ')} exited before answering tools/list`));
    });
    child.stdin.on('error', () => {});
    child.stdin.write(`${INITIALIZE}\n${INITIALIZED}\n${TOOLS_LIST}\n`);
  });
}

/** `node -e 0`: spawning Node and exiting, the floor under every Node server's start. */
export function nodeStart(): number {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - started;
}
