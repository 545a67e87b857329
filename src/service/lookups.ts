import type { Db } from '../db/engine.js';
import { lookupRows } from '../db/repo/lookups.js';
import type { StatusName } from '../domain/lifecycle.js';

export interface Lookup {
  id: string;
  name: string;
  isDefault: boolean;
}

/** A workspace's lookup rows: its status ids, priorities, sentiments, ticket types, default team. */
export interface WorkspaceLookups {
  statusIds: Map<StatusName, string>;
  priorities: Lookup[];
  sentiments: Lookup[];
  types: Lookup[];
  /** The workspace's first team (SUP on a new database) takes tickets that name no team. */
  defaultTeamId: string;
}

const asLookup = (r: { id: string; name: string; is_default?: number }): Lookup => ({ id: r.id, name: r.name, isDefault: r.is_default === 1 });

/**
 * No tool changes a workspace's lookup rows after it is seeded, so each process
 * reads them once and answers from memory.
 */
export class Lookups {
  readonly #byWorkspace = new Map<string, WorkspaceLookups>();

  /**
   * Only loaded lookups are shared. A load still under way runs on its caller's
   * connection, and another call holding a transaction must not wait on it: that
   * caller may itself be waiting for the connection the transaction holds.
   */
  async of(db: Db, workspaceId: string): Promise<WorkspaceLookups> {
    const cached = this.#byWorkspace.get(workspaceId);
    if (cached) return cached;
    const rows = await lookupRows(db, workspaceId);
    const loaded: WorkspaceLookups = {
      statusIds: new Map(rows.statuses.map((s) => [s.name as StatusName, s.id])),
      priorities: rows.priorities.map(asLookup),
      sentiments: rows.sentiments.map(asLookup),
      types: rows.types.map(asLookup),
      defaultTeamId: rows.firstTeamId,
    };
    this.#byWorkspace.set(workspaceId, loaded);
    return loaded;
  }
}

export const nameOf = (lookups: Lookup[], id: string | null) => (id === null ? null : (lookups.find((l) => l.id === id)?.name ?? null));
