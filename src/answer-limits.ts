import { busy, validationError, type DomainError } from './errors.js';

/**
 * How much a tool call may make the server answer and hold. An answer is sent twice
 * (as text and as structuredContent), so its bytes on the wire are about twice these.
 */

/** The most bytes one tool answer's JSON text may have; a larger one is refused, never cut. */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** The most answer text one HTTP request (a JSON-RPC batch) collects before it is sent. */
export const MAX_BATCH_ANSWER_BYTES = 4 * 1024 * 1024;
/** Tool calls one API key may have in flight over HTTP, each counted until its answer is delivered. */
export const MAX_CALLS_IN_FLIGHT = 32;

const kb = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

/**
 * The error that replaces an answer over MAX_ANSWER_BYTES. `rows` is the length of the
 * page it held, when the tool pages: the hint then names a page size that fits.
 */
export function answerTooLarge(tool: string, bytes: number, changed: boolean, rows: number | undefined): DomainError {
  const fits = rows === undefined ? undefined : Math.max(1, Math.floor((rows * MAX_ANSWER_BYTES * 0.9) / bytes));
  return validationError(
    `The answer to ${tool} has ${kb(bytes)}, more than the ${kb(MAX_ANSWER_BYTES)} one answer may have, so it was not sent.` +
      (changed ? ' The change itself was made: do not repeat it.' : ''),
    {
      hint: fits === undefined ? 'Ask for less in one call.' : `Ask for fewer rows: pageSize ${fits} fits, and nextCursor reads on from there.`,
      details: { answerBytes: bytes, maxAnswerBytes: MAX_ANSWER_BYTES },
    },
  );
}

/** Admits tool calls and their answers, for a transport that must bound what it holds. */
export interface CallGate {
  /** Before a call runs: the BUSY error when it may not run now. */
  admit(): DomainError | undefined;
  /**
   * After an admitted call ran, with its answer's size: the BUSY error when that answer
   * may not be sent. `changed`: the call changed something, and its answer always goes out.
   */
  deliver(bytes: number, changed: boolean): DomainError | undefined;
}

/** Tool calls in flight per API key, across every HTTP request that key makes. */
export class CallsInFlight {
  readonly #byKey = new Map<string, number>();

  /** One HTTP request's gate: its calls count against `key` until release(). */
  exchange(key: string): HttpExchange {
    return new HttpExchange(this.#byKey, key);
  }
}

/**
 * One HTTP request, possibly a batch: its calls hold their key's slots until the answer
 * is delivered (the response closes), and its answers share MAX_BATCH_ANSWER_BYTES.
 */
export class HttpExchange implements CallGate {
  #taken = 0;
  #bytes = 0;

  constructor(
    private readonly byKey: Map<string, number>,
    private readonly key: string,
  ) {}

  admit(): DomainError | undefined {
    if (this.#bytes >= MAX_BATCH_ANSWER_BYTES) return this.#batchFull('run');
    const inFlight = this.byKey.get(this.key) ?? 0;
    if (inFlight >= MAX_CALLS_IN_FLIGHT) {
      return busy(`This API key has ${inFlight} tool calls in flight, the most it may have; this call was not run.`, {
        hint: 'Retry it after the earlier calls have answered; send fewer calls at once (each call of a batch counts).',
        details: { callsInFlight: inFlight, maxCallsInFlight: MAX_CALLS_IN_FLIGHT },
      });
    }
    this.byKey.set(this.key, inFlight + 1);
    this.#taken++;
    return undefined;
  }

  deliver(bytes: number, changed: boolean): DomainError | undefined {
    if (!changed && this.#bytes + bytes > MAX_BATCH_ANSWER_BYTES) return this.#batchFull('sent');
    this.#bytes += bytes;
    return undefined;
  }

  /** The response is delivered or abandoned: its calls no longer count. */
  release(): void {
    const left = (this.byKey.get(this.key) ?? 0) - this.#taken;
    this.#taken = 0;
    if (left > 0) this.byKey.set(this.key, left);
    else this.byKey.delete(this.key);
  }

  #batchFull(what: 'run' | 'sent'): DomainError {
    return busy(`This request's answers have reached ${kb(MAX_BATCH_ANSWER_BYTES)}, the most one HTTP request may carry; this call was not ${what}.`, {
      hint: 'Send it again in a later request, once these answers have arrived; put fewer large reads in one batch.',
      details: { maxBatchAnswerBytes: MAX_BATCH_ANSWER_BYTES },
    });
  }
}
