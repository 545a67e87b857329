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

/** The key a failed reference names, for its outcome: the ticket's current key, or the reference as given. */
async function keyOf(deps: ServiceDeps, caller: Caller, ref: string): Promise<string> {
  try {
    const ticket = await findTicket(deps.engine.reader, caller.workspaceId, ref);
    return `${ticket.team_identifier}-${ticket.number}`;
  } catch {
    return ref.trim();
  }
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
 * transaction, in the order given, and every ticket's outcome reported, failures
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
  const results: BulkOutcome[] = [];
  for (const ref of refs) {
    try {
      const { data, changed, message } = await change(ref);
      results.push({ key: data.ticketIdentifier, ok: true, changed, message });
    } catch (error) {
      results.push({ key: await keyOf(deps, caller, ref), ok: false, ...failure(error) });
    }
  }
  return { data: { results }, message: countOutcomes(results) };
}
