import type { Updateable } from 'kysely';
import type { Db } from '../db/engine.js';
import { insertFormerKey } from '../db/repo/former-keys.js';
import { nextTicketNumber, teamById } from '../db/repo/teams.js';
import type { TicketsTable } from '../db/tables.js';
import type { EventDraft, LoadedTicket } from './changes.js';
import type { Caller } from './context.js';
import { findTeam } from './refs.js';

export interface TeamMove {
  patch: Updateable<TicketsTable>;
  event: EventDraft;
  /** What the answer says: `moved SUP-9 → BIL-3 (team Support → Billing)`. */
  summary: string;
}

/**
 * A ticket's move to another team, inside the change's transaction: it takes that team's
 * next key, and its old key is kept, so it keeps naming the ticket (refs.ts findTicket).
 * Undefined when the ticket is in that team already: nothing to change.
 */
export async function teamMove(db: Db, caller: Caller, ticket: LoadedTicket, teamRef: string, at: string): Promise<TeamMove | undefined> {
  const team = await findTeam(db, caller.workspaceId, teamRef);
  if (team.id === ticket.team_id) return undefined;
  const [from] = await teamById(db, { id: ticket.team_id });
  const [{ ticket_counter: number }] = (await nextTicketNumber(db, { team: team.id })) as [{ ticket_counter: number }];
  await insertFormerKey(db, { workspace_id: caller.workspaceId, team_id: ticket.team_id, number: ticket.number, ticket_id: ticket.id, created_at: at });
  const toKey = `${team.identifier}-${number}`;
  return {
    patch: { team_id: team.id, number },
    event: {
      type: 'team_changed',
      data: { fromKey: ticket.key, toKey, fromTeam: from!.name, toTeam: team.name, fromTeamId: from!.id, toTeamId: team.id },
    },
    summary: `moved ${ticket.key} → ${toKey} (team ${from!.name} → ${team.name})`,
  };
}
