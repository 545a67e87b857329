import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { MAX_REQUESTS_IN_FLIGHT, StdioLineTransport } from '../src/stdio-transport.js';

/**
 * The stdio transport's flow control on real streams, with no server behind it, so that
 * requests stay unanswered for as long as a test needs (through the bin, a call that
 * waits is one waiting for a database lock, and that blocks the whole process).
 */
function session(output = new PassThrough()) {
  const input = new PassThrough();
  const transport = new StdioLineTransport(input, output);
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  const write = (...messages: unknown[]) => input.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  const ids = () => received.map((m) => ('id' in m ? m.id : ('method' in m && m.method)));
  return { input, output, transport, received, write, ids };
}

const request = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });
const cancel = (id: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the stdio transport', () => {
  it(`holds a request past ${MAX_REQUESTS_IN_FLIGHT} unanswered ones, and stops reading, until one is answered`, async () => {
    const { input, transport, write, ids } = session();
    await transport.start();
    write(...range(1, 33).map(request));
    await tick();
    expect(ids()).toEqual(range(1, 32));
    expect(input.isPaused()).toBe(true);
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(ids()).toEqual(range(1, 33));
    expect(input.isPaused()).toBe(false);
  });

  it('reads on past requests in flight to their cancellations, which free their places', async () => {
    const { transport, write, ids } = session();
    await transport.start();
    write(...range(1, 32).map(request), ...range(1, 32).map(cancel), request('after'));
    await tick();
    expect(ids().at(-1)).toBe('after');
  });

  it('stops handling lines while stdout is past its high-water mark, and goes on once it drains', async () => {
    const output = new PassThrough({ highWaterMark: 1024 });
    const { transport, write, ids } = session(output);
    await transport.start();
    write(request(1), request(2));
    await tick();
    await transport.send({ jsonrpc: '2.0', id: 1, result: { pad: 'x'.repeat(4096) } });
    write(request(3));
    await tick();
    expect(ids()).toEqual([1, 2]);
    output.resume();
    await tick();
    expect(ids()).toEqual([1, 2, 3]);
  });
});
