import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, fails, ok, spawnServer, tempDir, type SpawnedServer } from './helpers.js';
import { newKey, rssOf, serveHttp, stop, type ServedHttp } from './serve.js';

/**
 * Bounded answers, through the built bin: get_ticket's comment budget, the cap on one
 * answer, and over HTTP a read-only key's batches (calls in flight, a batch's answer
 * bytes, ids used twice); over stdio, a client that stops reading.
 */
const { dir, cleanup } = tempDir();
const db = join(dir, 'answers.db');
const env = { PATH: process.env.PATH ?? '', HOME: dir };
let stdio: SpawnedServer;
let http: ServedHttp;
let readKey: string;
let writeKey: string;
/** Tickets: 60 comments of 20 KB; 5 of 5 KB; 3 short ones; one of 10,000 two-byte letters; 20 of 1 KB. */
const keys = { long: '', five: '', short: '', accents: '', medium: '' };

const BIG = 20_000;
const body = (i: number, size: number) => `${i} ${'x'.repeat(size - String(i).length - 1)}`;

async function ticketWith(title: string, bodies: string[]): Promise<string> {
  const { ticketIdentifier } = await ok(stdio.client, 'create_ticket', { title, requestorEmail: 'a@example.com' });
  for (const text of bodies) await ok(stdio.client, 'add_comment', { id: ticketIdentifier, body: text });
  return ticketIdentifier;
}

beforeAll(async () => {
  stdio = await spawnServer(['--db', db], { HOME: dir });
  keys.long = await ticketWith('Long thread', Array.from({ length: 60 }, (_, i) => body(i, BIG)));
  keys.five = await ticketWith('Five comments', Array.from({ length: 5 }, (_, i) => body(i, 5_000)));
  keys.short = await ticketWith('Short thread', ['one', 'two', 'three']);
  keys.accents = await ticketWith('Accents', ['é'.repeat(10_000)]);
  keys.medium = await ticketWith('Medium thread', Array.from({ length: 20 }, (_, i) => body(i, 1_000)));
  readKey = newKey(db, env, '--actor', 'reader@example.com', '--read-only');
  writeKey = newKey(db, env, '--actor', 'writer@example.com');
  http = await serveHttp(db, env);
}, 60_000);

afterAll(async () => {
  await stdio.client.close();
  await stop(http);
  cleanup();
});

const rpc = (id: number | string, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

interface BatchAnswer {
  id: number;
  result: { structuredContent: { status: boolean; message: string; data: unknown; error?: { code: string; hint?: string } }; content: { text: string }[] };
}

async function post(key: string, payload: unknown): Promise<{ status: number; bytes: number; json: unknown }> {
  const answer = await fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
    body: JSON.stringify(payload),
  });
  const text = await answer.text();
  return { status: answer.status, bytes: Buffer.byteLength(text), json: JSON.parse(text) };
}

describe("get_ticket's comments", () => {
  it('shows the newest comment cut to 16 KB when it alone passes the budget, and says where the rest are', async () => {
    const ticket = await ok(stdio.client, 'get_ticket', { id: keys.long });
    expect(ticket.commentCount).toBe(60);
    expect(ticket.comments).toHaveLength(1);
    const [newest] = ticket.comments;
    expect(newest.body.startsWith(`59 ${'x'.repeat(100)}`)).toBe(true);
    expect(newest.body).toMatch(/\n\[cut: this comment has 20000 bytes; get_ticket_history has it whole\]$/);
    expect(Buffer.byteLength(newest.body)).toBeLessThan(16 * 1024 + 100);
    expect(ticket.commentsHint).toMatch(/^The newest comment is cut to 16 KB, and the 59 older ones are not shown: .*get_ticket_history has every comment in full/);
  });

  it('shows as many of the newest as fit whole, oldest of them first', async () => {
    const ticket = await ok(stdio.client, 'get_ticket', { id: keys.five });
    expect(ticket.comments.map((c: { body: string }) => c.body)).toEqual([body(2, 5_000), body(3, 5_000), body(4, 5_000)]);
    expect(ticket.commentsHint).toMatch(/^The newest 3 of 5 comments are shown: get_ticket shows at most 20 comments and 16 KB of their text\. get_ticket_history/);
  });

  it('shows every comment of a short thread, with no hint', async () => {
    const ticket = await ok(stdio.client, 'get_ticket', { id: keys.short });
    expect(ticket.comments.map((c: { body: string }) => c.body)).toEqual(['one', 'two', 'three']);
    expect(ticket).not.toHaveProperty('commentsHint');
  });

  it('cuts a long comment between characters, never inside one', async () => {
    const [comment] = (await ok(stdio.client, 'get_ticket', { id: keys.accents })).comments;
    expect(comment.body).toBe(`${'é'.repeat(8_192)}\n[cut: this comment has 20000 bytes; get_ticket_history has it whole]`);
  });

  it('keeps every comment readable in full from get_ticket_history', async () => {
    const history = await ok(stdio.client, 'get_ticket_history', { id: keys.long, pageSize: 10 });
    expect(history.events[1]).toMatchObject({ type: 'comment_added', details: { body: body(0, BIG) } });
  });
});

describe('one answer', () => {
  it('is refused past 1 MB, with a page size that fits, and that page size is answered', async () => {
    const error = await fails(stdio.client, 'get_ticket_history', { id: keys.long, pageSize: 100 }, 'VALIDATION_ERROR');
    expect(error.message).toMatch(/^The answer to get_ticket_history has \d+ KB, more than the 1024 KB one answer may have, so it was not sent\.$/);
    const fits = Number(/pageSize (\d+) fits/.exec(error.hint!)![1]);
    expect(fits).toBeGreaterThan(10);
    expect(fits).toBeLessThan(60);
    const page = await ok(stdio.client, 'get_ticket_history', { id: keys.long, pageSize: fits });
    expect(page.events).toHaveLength(fits);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('a read-only key over HTTP', () => {
  it('gets a batch of 100 get_ticket answered in about 1 MB: 32 calls run, the rest BUSY', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => rpc(i + 1, 'get_ticket', { id: keys.long }));
    const { status, bytes, json } = await post(readKey, batch);
    expect(status).toBe(200);
    const answers = json as BatchAnswer[];
    expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual(batch.map((b) => b.id));
    const busy = answers.filter((a) => a.result.structuredContent.error?.code === 'BUSY');
    expect(answers.filter((a) => a.result.structuredContent.status)).toHaveLength(32);
    expect(busy).toHaveLength(68);
    expect(busy[0]!.result.structuredContent.message).toBe('This API key has 32 tool calls in flight, the most it may have; this call was not run.');
    expect(busy[0]!.result.structuredContent.error!.hint).toMatch(/^Retry it after the earlier calls have answered/);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    // Those calls are no longer in flight once answered: the key's next call runs.
    const again = (await post(readKey, rpc(1, 'get_ticket', { id: keys.short }))).json as BatchAnswer;
    expect(again.result.structuredContent.status).toBe(true);
  });

  it('gets at most 4 MB of answers in one batch: a read past it answers BUSY, unsent', async () => {
    const batch = Array.from({ length: 6 }, (_, i) => rpc(i + 1, 'get_ticket_history', { id: keys.long, pageSize: 45 }));
    const { status, bytes, json } = await post(readKey, batch);
    expect(status).toBe(200);
    const answers = json as BatchAnswer[];
    const busy = answers.filter((a) => a.result.structuredContent.error?.code === 'BUSY');
    expect(answers.filter((a) => a.result.structuredContent.status)).toHaveLength(4);
    expect(busy).toHaveLength(2);
    expect(busy[0]!.result.structuredContent.message).toMatch(/^This request's answers have reached 4096 KB, the most one HTTP request may carry; this call was not (sent|run)\.$/);
    expect(bytes).toBeLessThan(2.5 * 4 * 1024 * 1024);
  });

  it('has a batch that uses an id twice refused whole, with nothing run', async () => {
    const batch = [rpc(7, 'create_ticket', { title: 'Twice', requestorEmail: 't@example.com' }), rpc(7, 'create_ticket', { title: 'Twice', requestorEmail: 't@example.com' })];
    const { status, json } = await post(writeKey, batch);
    expect(status).toBe(400);
    expect(json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request: two requests of the batch have the id 7; give each its own id. Nothing in the batch was run.' },
    });
    const listed = await ok(stdio.client, 'list_tickets', { requestor: 't@example.com' });
    expect(listed.tickets).toEqual([]);
    // The same id as a number and as a string are two ids.
    const distinct = await post(writeKey, [rpc(8, 'get_ticket', { id: keys.short }), rpc('8', 'get_ticket', { id: keys.short })]);
    expect(distinct.status).toBe(200);
    expect((distinct.json as BatchAnswer[]).map((a) => a.result.structuredContent.status)).toEqual([true, true]);
  });
});

/** The stdio bin driven with raw lines: what it answered, by id, in order. */
async function rawStdio() {
  const server = spawn(process.execPath, [CLI, '--db', db, '--log-level', 'error'], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const send = (message: unknown) => server.stdin.write(`${JSON.stringify(message)}\n`);
  const answers: { id: number; result?: unknown }[] = [];
  let rest = '';
  server.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) answers.push(JSON.parse(line));
  });
  const answered = async (count: number, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (answers.length < count && Date.now() < deadline) await sleep(20);
    return answers.length;
  };
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await answered(1);
  const close = async () => {
    server.stdin.end();
    await once(server, 'exit');
  };
  return { server, send, answered, close };
}

describe('a stdio client', () => {
  it('that stops reading is not read from while its answers wait, so the server holds a bounded amount; each answer arrives once it reads', async () => {
    const { server, send, answered, close } = await rawStdio();
    send(rpc(1, 'get_ticket', { id: keys.medium }));
    await answered(2);
    const before = rssOf(server.pid!);

    server.stdout.pause();
    const sent = 2_000;
    // Long ids make the 2,000 lines (600 KB) more than the pipe and the server's input buffers hold.
    for (let i = 2; i < sent + 2; i++) send(rpc(`${i}${'.'.repeat(200)}`, 'get_ticket', { id: keys.medium }));
    await sleep(2_000);
    // Unbounded, the server would have read every line and hold ~2,000 answers of 50 KB on the wire each.
    expect(server.stdin.writableLength).toBeGreaterThan(0);
    const held = rssOf(server.pid!) - before;
    expect(held).toBeLessThan(40 * 1024 * 1024);

    server.stdout.resume();
    expect(await answered(sent + 2)).toBe(sent + 2);
    console.log(`stalled stdio client: server RSS grew ${(held / 1024 / 1024).toFixed(1)} MB while ${sent} get_ticket waited; all answered once it read`);
    await close();
  }, 60_000);
});
