import type { Caller } from '../service/context.js';
import type { QueueCounts } from '../service/live.js';
import type { TicketService } from '../service/service.js';

/**
 * The list page's queue counts, kept per workspace and person until the workspace's events
 * seq moves (every change writes an event), the soonest due date passes (overdue grows
 * without one), or a few seconds go by (PostgreSQL may commit a lower seq late). Counting
 * the live tickets of a large workspace is the page's one costly read.
 */
const MAX_AGE_MS = 5_000;
const MAX_ENTRIES = 500;

interface Entry {
  seq: number;
  until: number;
  counts: QueueCounts;
}

export class QueueCountCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly service: TicketService) {}

  /** The counts as of `seq`, the workspace's newest event seq read before this call. */
  async get(caller: Caller, seq: number): Promise<QueueCounts> {
    const key = `${caller.workspaceId}/${caller.agentId}`;
    const at = Date.now();
    const kept = this.#entries.get(key);
    if (kept && kept.seq === seq && at < kept.until) return kept.counts;
    const counts = await this.service.queueCounts(caller);
    const nextDue = counts.nextDueAt === null ? Infinity : Date.parse(counts.nextDueAt);
    this.#entries.delete(key);
    this.#entries.set(key, { seq, until: Math.min(at + MAX_AGE_MS, nextDue), counts });
    // Oldest first out: a Map keeps insertion order, and a refreshed entry is re-inserted.
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    return counts;
  }
}
