import type { ServerResponse } from 'node:http';
import type { Caller } from '../service/context.js';
import type { ChangeSeen } from '../service/live.js';
import type { TicketService } from '../service/service.js';
import type { Logger } from '../log.js';

/**
 * Live pages: one poller per workspace reads its new events every POLL_MS and tells every
 * open page of that workspace which tickets changed, as server-sent events (`tickets`, and
 * `t-KEY` per ticket). Every process can read the events table, so a change made through
 * any host shows. On PostgreSQL a transaction can commit a lower seq after a higher one
 * was read: each poll re-reads the last RECHECK seqs and skips those already sent.
 */
const POLL_MS = 500;
const RECHECK = 200;
const KEEPALIVE_MS = 20_000;
/**
 * Streams one session may hold open at once: a person's tabs. Each holds a connection, and the
 * server takes 256 in all (MCP clients included), so one session must not be able to take them.
 */
export const STREAMS_PER_SESSION = 8;

interface Listener {
  res: ServerResponse;
}

class WorkspacePoller {
  readonly listeners = new Set<Listener>();
  #last = 0;
  readonly #sent = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #ticks = 0;

  constructor(
    private readonly service: TicketService,
    private readonly caller: Caller,
    private readonly log: Logger,
  ) {}

  async start(since: number): Promise<void> {
    this.#last = since;
    this.#timer = setInterval(() => void this.#poll(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    try {
      const changes = await this.service.eventsSince(this.caller, { after: this.#last - RECHECK });
      const fresh = changes.filter((c) => !this.#sent.has(c.seq));
      for (const c of fresh) this.#sent.add(c.seq);
      if (changes.length > 0) this.#last = Math.max(this.#last, changes.at(-1)!.seq);
      for (const seq of this.#sent) if (seq <= this.#last - RECHECK) this.#sent.delete(seq);
      if (fresh.length > 0) this.broadcast(fresh);
      else if (++this.#ticks % (KEEPALIVE_MS / POLL_MS) === 0) for (const l of this.listeners) l.res.write(': keep-alive\n\n');
    } catch (error) {
      this.log.warn('console live poll failed', { error: (error as Error).message });
    }
  }

  broadcast(changes: ChangeSeen[], only?: Listener): void {
    const keys = [...new Set(changes.map((c) => c.ticket))];
    const frames = [`event: tickets\ndata: ${keys.join(' ')}\n\n`, ...keys.map((k) => `event: t-${k}\ndata: ${k}\n\n`)].join('');
    for (const l of only ? [only] : this.listeners) l.res.write(frames);
  }

  /** The events after `since` that happened before this page's stream opened. */
  async catchUp(listener: Listener, since: number): Promise<void> {
    const missed = (await this.service.eventsSince(this.caller, { after: since })).filter((c) => c.seq <= this.#last);
    if (missed.length > 0) this.broadcast(missed, listener);
  }
}

export class LiveHub {
  readonly #pollers = new Map<string, WorkspacePoller>();
  /** Open streams per session. */
  readonly #streams = new Map<string, number>();

  constructor(
    private readonly service: TicketService,
    private readonly log: Logger,
  ) {}

  /** Holds `res` open as an event stream until the page goes away; `session` names whose stream it is. */
  async open(res: ServerResponse, caller: Caller, since: number, session: string): Promise<void> {
    const held = this.#streams.get(session) ?? 0;
    if (held >= STREAMS_PER_SESSION) {
      // The page keeps working without live updates; its SSE client retries with a growing delay.
      res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' }).end(`This session already has ${STREAMS_PER_SESSION} live pages open; close one.`);
      return;
    }
    this.#streams.set(session, held + 1);
    res.on('close', () => {
      const left = this.#streams.get(session)! - 1;
      if (left > 0) this.#streams.set(session, left);
      else this.#streams.delete(session);
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' });
    res.write(': live\n\n');
    let poller = this.#pollers.get(caller.workspaceId);
    if (!poller) {
      poller = new WorkspacePoller(this.service, caller, this.log);
      this.#pollers.set(caller.workspaceId, poller);
      await poller.start(await this.service.latestSeq(caller));
    }
    const listener = { res };
    poller.listeners.add(listener);
    res.on('close', () => {
      poller.listeners.delete(listener);
      if (poller.listeners.size === 0) {
        poller.stop();
        this.#pollers.delete(caller.workspaceId);
      }
    });
    if (Number.isSafeInteger(since) && since >= 0) await poller.catchUp(listener, since);
  }

  close(): void {
    for (const poller of this.#pollers.values()) {
      poller.stop();
      for (const l of poller.listeners) l.res.end();
    }
    this.#pollers.clear();
  }
}
