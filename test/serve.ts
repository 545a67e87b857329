import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'vitest';
import { CLI } from './helpers.js';

/** The built bin's `serve --http` as its own process, and raw clients for it. */

export interface ServedHttp {
  child: ChildProcess;
  url: string;
  port: number;
  log: () => string;
}

/** An API key made with the bin. */
export function newKey(db: string, env: Record<string, string>, ...args: string[]): string {
  const result = spawnSync(process.execPath, [CLI, 'keys', 'create', ...args, '--db', db], { encoding: 'utf8', env });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

/** Collects what `child` prints on `stream` until `pattern` matches it; throws if the process ends first. */
export async function untilPrinted(child: ChildProcess, stream: Readable, pattern: RegExp): Promise<{ match: RegExpExecArray; text: () => string }> {
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  let match: RegExpExecArray | null;
  while (!(match = pattern.exec(text))) {
    const [event] = await Promise.race([once(stream, 'data').then(() => ['data']), once(child, 'exit').then(() => ['exit'])]);
    if (event === 'exit') throw new Error(`exited before printing ${pattern}: ${text}`);
  }
  return { match, text: () => text };
}

/** Starts `serve --http LISTEN` and waits for its ready line. */
export async function serveHttp(db: string, env: Record<string, string>, listen = '127.0.0.1:0', ...args: string[]): Promise<ServedHttp> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', listen, '--db', db, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const { text: log } = await untilPrinted(child, child.stderr!, /ready on http[^\n]*\n/);
  const url = log()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((l) => l.msg === 'ticket-mcp ready on http').url as string;
  return { child, url, port: Number(new URL(url).port), log };
}

/** A real SDK client of a served host, signed in with `key`, its tools listed (so it checks every answer's schema). */
export async function connectHttp(url: string, key: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'ticket-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return client;
}

export async function stop(served: ServedHttp): Promise<void> {
  if (served.child.exitCode !== null) return;
  served.child.kill('SIGTERM');
  await once(served.child, 'exit');
}

/** A POST to /mcp as raw HTTP/1.1 bytes. */
export function rawPost(key: string, body: string, headers: Record<string, string> = {}): string {
  const lines = {
    host: '127.0.0.1',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${key}`,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  };
  return `POST /mcp HTTP/1.1\r\n${Object.entries(lines)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n${body}`;
}

/** A raw connection, with everything it receives and when the server closed it. */
export interface RawClient {
  socket: Socket;
  received: () => Buffer;
  /** Resolves with the milliseconds from `since` to the close (by the server, or a reset). */
  closed: Promise<number>;
}

export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const started = performance.now();
  // Not events.once: it would reject on the 'error' a reset brings before 'close'.
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
  // A connection the server refuses may be reset before 'connect' is seen: that is an answer too.
  await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), closed]);
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/** Resident memory of a process, in bytes (Linux). */
export function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

/** Resolves after `ms`, or with the value `promise` settles with first. */
export const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);
