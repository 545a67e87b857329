import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The longest line read; a longer one is skipped and answered, and the session goes on. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * MCP over stdin and stdout, one JSON-RPC message per line, like the SDK's
 * StdioServerTransport, with two differences that keep a session alive whatever a
 * client sends: a line that is not JSON-RPC is answered with the JSON-RPC error for
 * it (-32700 parse error, -32600 invalid request) instead of being dropped, and a
 * line over MAX_LINE_BYTES is skipped and answered instead of closing the transport.
 */
export class StdioLineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Inside a line over the limit: everything up to its newline is dropped. */
  #skipping = false;

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
    this.stdout.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
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
      else this.#receive(line);
    }
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

  #receive(line: string): void {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.onerror?.(error as Error);
      return this.#reject(null, -32700, 'Parse error: a line of input was not JSON.');
    }
    const message = JSONRPCMessageSchema.safeParse(json);
    if (!message.success) {
      const id = (json as { id?: unknown } | null)?.id;
      return this.#reject(typeof id === 'string' || typeof id === 'number' ? id : null, -32600, 'Invalid Request: not a JSON-RPC 2.0 message.');
    }
    this.onmessage?.(message.data);
  }

  #reject(id: string | number | null, code: number, message: string): void {
    // JSON-RPC answers an unreadable request with id null; the SDK's types only allow ids, so the line is written here.
    this.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  }
}
