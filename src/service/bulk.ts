import { storageFault } from '../db/engine.js';
import { DomainError, validationError, type ErrorCode } from '../errors.js';
import type { Caller } from './context.js';
import type { Change, Result, ServiceDeps } from './deps.js';
import { findTicket } from './refs.js';
import type { BulkResults, TicketDetail } from './views.js';

/** The most tickets one bulk call changes: each is its own transaction, so a call stays a few hundred ms. */
export const MAX_BULK = 100;
const FAILURES_NAMED = 5;

export type BulkOutcome = BulkResults['results'][number];

/** A single change's failure as a ticket's outcome: ours (a DomainError) or the storage's; anything else is a fault. */
function failure(error: unknown): { code: ErrorCode; message: string } {
  const known = error instanceof DomainError ? error : storageFault(error);
  if (!known) throw error;
  return { code: known.code, message: known.message };
}

/** A reference as a bulk call sees it: the ticket's current key and id, or the reference as given when it names none. */
async function resolveRef(deps: ServiceDeps, caller: Caller, ref: string): Promise<{ ref: string; key: string; identity: string }> {
  try {
    const ticket = await findTicket(deps.engine.reader, caller.workspaceId, ref);
    return { ref, key: `${ticket.team_identifier}-${ticket.number}`, identity: ticket.id };
  } catch {
    return { ref, key: ref.trim(), identity: ref.trim().toUpperCase() };
  }
}

/**
 * The references of a bulk call, one per ticket: a ticket named twice (by key and id, in
 * another case, or by a key it had before it moved) is changed and reported once, and the
 * keys named more than once are returned for the message.
 */
async function onePerTicket(deps: ServiceDeps, caller: Caller, refs: readonly string[]) {
  const seen = new Map<string, { ref: string; key: string }>();
  const repeated = new Set<string>();
  for (const ref of refs) {
    const resolved = await resolveRef(deps, caller, ref);
    if (seen.has(resolved.identity)) repeated.add(seen.get(resolved.identity)!.key);
    else seen.set(resolved.identity, resolved);
  }
  return { unique: [...seen.values()], repeated: [...repeated] };
}

/** "3 of 4 tickets changed, 1 already so; 1 failed: SUP-9 INVALID_TRANSITION." */
export function countOutcomes(results: BulkOutcome[]): string {
  const changed = results.filter((r) => r.changed).length;
  const unchanged = results.filter((r) => r.ok && !r.changed).length;
  const failed = results.filter((r) => !r.ok);
  const named = failed.slice(0, FAILURES_NAMED).map((r) => `${r.key} ${r.code}`);
  if (failed.length > FAILURES_NAMED) named.push('…');
  return [
    `${changed} of ${results.length} ticket${results.length === 1 ? '' : 's'} changed`,
    unchanged > 0 ? `, ${unchanged} already so` : '',
    failed.length > 0 ? `; ${failed.length} failed: ${named.join(', ')} (data.results says why)` : '',
    '.',
  ].join('');
}

/**
 * The one loop of every bulk change: each ticket changed by `change` in its own
 * transaction, in the order given, and every ticket's outcome reported once, failures
 * included (never a hidden partial failure). Arguments that would fail every ticket
 * alike are the caller's to check before: they fail the whole call, changing nothing.
 */
export async function eachTicket(
  deps: ServiceDeps,
  caller: Caller,
  refs: readonly string[],
  change: (ref: string) => Promise<Change<TicketDetail>>,
): Promise<Result<BulkResults>> {
  if (refs.length === 0 || refs.length > MAX_BULK) {
    throw validationError(`\`ids\` must have 1 to ${MAX_BULK} tickets, not ${refs.length}.`, { hint: 'Send the rest in another call.' });
  }
  const { unique, repeated } = await onePerTicket(deps, caller, refs);
  const results: BulkOutcome[] = [];
  for (const { ref, key } of unique) {
    try {
      const { data, changed, message } = await change(ref);
      results.push({ key: data.ticketIdentifier, ok: true, changed, message });
    } catch (error) {
      results.push({ key, ok: false, ...failure(error) });
    }
  }
  const repeats = repeated.length === 0 ? '' : ` Named more than once, counted once: ${repeated.join(', ')}.`;
  return { data: { results }, message: countOutcomes(results) + repeats };
}
