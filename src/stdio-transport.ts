import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The longest line read; a longer one is skipped and answered, and the session goes on. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Requests read and not yet answered; at this many, the next request waits (unread) until one is answered. */
export const MAX_REQUESTS_IN_FLIGHT = 32;

/**
 * MCP over stdin and stdout, one JSON-RPC message per line, like the SDK's
 * StdioServerTransport, with two differences that keep a session alive whatever a
 * client sends: a line that is not JSON-RPC is answered with the JSON-RPC error for
 * it (-32700 parse error, -32600 invalid request) instead of being dropped, and a
 * line over MAX_LINE_BYTES is skipped and answered instead of closing the transport.
 *
 * And backpressure, so a client that stops reading cannot make the server hold its
 * answers without bound: while stdout's buffer is above its high-water mark, or a
 * request would pass MAX_REQUESTS_IN_FLIGHT unanswered ones, lines already read wait
 * and stdin is not read (the client's writes then block in the pipe). Requests past the
 * limit wait, not fail: one client owns the session, and it is its own pace that is held.
 */
export class StdioLineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Inside a line over the limit: everything up to its newline is dropped. */
  #skipping = false;
  /** Whole lines read and not yet handled, from #next on; #head is the next one parsed, while it waits. */
  #lines: string[] = [];
  #next = 0;
  #head: JSONRPCMessage | null | undefined;
  #pumping = false;
  /** Unanswered requests by id (a client may reuse an id while its first use is in flight). */
  #inFlight = new Map<string | number, number>();
  #inFlightCount = 0;
  /** stdout's buffer passed its high-water mark; 'drain' clears it. */
  #outputFull = false;
  #paused = false;
  #closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.stdin.on('data', this.#onData);
    this.stdin.on('error', this.#onError);
    this.stdout.on('error', this.#onOutputError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.#write(message);
    if ('id' in message && !('method' in message) && message.id !== undefined) this.#settle(message.id);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.stdin.off('data', this.#onData);
    this.stdin.off('error', this.#onError);
    this.stdout.off('error', this.#onOutputError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.onclose?.();
  }

  #onError = (error: Error) => this.onerror?.(error);

  /** The client stopped reading (EPIPE): nobody is left to answer, so the session ends. */
  #onOutputError = (error: Error) => {
    this.onerror?.(error);
    void this.close();
  };

  #onData = (chunk: Buffer) => {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
      const end = chunk.subarray(from, newline);
      from = newline + 1;
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      const tooLong = this.#pendingBytes + end.length > MAX_LINE_BYTES;
      this.#pending.push(end);
      const line = tooLong ? '' : Buffer.concat(this.#pending).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      if (tooLong) this.#reject(null, -32600, `Invalid Request: a message longer than ${MAX_LINE_BYTES} bytes was skipped.`);
      else this.#lines.push(line);
    }
    this.#pump();
    if (from === chunk.length || this.#skipping) return;
    this.#pendingBytes += chunk.length - from;
    if (this.#pendingBytes > MAX_LINE_BYTES) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#skipping = true;
      this.#reject(null, -32600, `Invalid Request: a message longer than ${MAX_LINE_BYTES} bytes was skipped.`);
      return;
    }
    this.#pending.push(chunk.subarray(from));
  };

  /**
   * Handles the lines read, in order, until stdout is full or the next is a request with
   * MAX_REQUESTS_IN_FLIGHT already unanswered (notifications go on: a cancellation frees a
   * place); stdin is read only while no line waits and stdout takes more.
   */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    while (this.#next < this.#lines.length && !this.#outputFull && !this.#closed) {
      if (this.#head === undefined) this.#head = this.#parse(this.#lines[this.#next]!);
      const message = this.#head;
      if (message && 'method' in message && 'id' in message && this.#inFlightCount >= MAX_REQUESTS_IN_FLIGHT) break;
      this.#head = undefined;
      this.#next++;
      if (message) this.#deliver(message);
    }
    if (this.#next === this.#lines.length) {
      this.#lines = [];
      this.#next = 0;
    }
    this.#pumping = false;
    const hold = (this.#outputFull || this.#next < this.#lines.length) && !this.#closed;
    if (hold !== this.#paused) {
      this.#paused = hold;
      if (hold) this.stdin.pause();
      else this.stdin.resume();
    }
  }

  #write(message: unknown): void {
    if (this.stdout.write(`${JSON.stringify(message)}\n`) || this.#outputFull) return;
    this.#outputFull = true;
    this.stdout.once('drain', () => {
      this.#outputFull = false;
      this.#pump();
    });
  }

  /** A request was answered, or cancelled (the SDK then sends no answer). */
  #settle(id: string | number): void {
    const count = this.#inFlight.get(id);
    if (count === undefined) return;
    if (count > 1) this.#inFlight.set(id, count - 1);
    else this.#inFlight.delete(id);
    this.#inFlightCount--;
    this.#pump();
  }

  /** The message on a line; null for a blank line or one answered here with a JSON-RPC error. */
  #parse(line: string): JSONRPCMessage | null {
    if (line.trim() === '') return null;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.onerror?.(error as Error);
      this.#reject(null, -32700, 'Parse error: a line of input was not JSON.');
      return null;
    }
    const message = JSONRPCMessageSchema.safeParse(json);
    if (message.success) return message.data;
    const id = (json as { id?: unknown } | null)?.id;
    const batch = Array.isArray(json) ? ' Batches are not taken over stdio: send one message per line.' : '';
    this.#reject(typeof id === 'string' || typeof id === 'number' ? id : null, -32600, `Invalid Request: not a JSON-RPC 2.0 message.${batch}`);
    return null;
  }

  #deliver(message: JSONRPCMessage): void {
    if ('method' in message && 'id' in message) {
      this.#inFlight.set(message.id, (this.#inFlight.get(message.id) ?? 0) + 1);
      this.#inFlightCount++;
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === 'string' || typeof id === 'number') this.#settle(id);
    }
    this.onmessage?.(message);
  }

  #reject(id: string | number | null, code: number, message: string): void {
    // JSON-RPC answers an unreadable request with id null; the SDK's types only allow ids, so the line is written here.
    this.#write({ jsonrpc: '2.0', id, error: { code, message } });
  }
}
