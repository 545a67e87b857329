import { join } from 'node:path';
import { describe } from 'vitest';
import type { Engine } from '../src/db/engine.js';
import { openPostgresEngine } from '../src/db/postgres/engine.js';
import { openSqliteEngine } from '../src/db/sqlite/engine.js';
import type { Caller } from '../src/service/context.js';
import { TicketService } from '../src/service/service.js';
import { tempDir } from './helpers.js';
import { createTestDatabase, describePg } from './pg.js';

/**
 * One suite, both engines: `describeEngines` declares the suite once per engine, and
 * `openEngineService` gives it the service on a fresh database of that engine. PostgreSQL's
 * run is skipped with one loud line when no server answers, and fails under CI=true (describePg).
 */
export type EngineKind = Engine['kind'];

export function describeEngines(name: string, body: (kind: EngineKind) => void): void {
  describe(`${name} [sqlite]`, () => body('sqlite'));
  describePg(`${name} [postgres]`, () => body('postgres'));
}

export interface EngineDatabase {
  /** What --db takes: a SQLite file's path, or the PostgreSQL test database's URL. */
  target: string;
  open(): Promise<Engine>;
  /** Removes the file or drops the database (close every engine on it first). */
  drop(): Promise<void>;
}

/** A fresh, empty database of `kind`, named `name` where the engine has files. */
export async function createEngineDatabase(kind: EngineKind, name = 'tickets.db'): Promise<EngineDatabase> {
  if (kind === 'postgres') {
    const database = await createTestDatabase();
    return { target: database.url, open: () => openPostgresEngine(database.url, { poolSize: 4 }), drop: database.drop };
  }
  const { dir, cleanup } = tempDir();
  const path = join(dir, name);
  return { target: path, open: async () => openSqliteEngine(path), drop: async () => cleanup() };
}

/** The service on a fresh database of `kind`, with the default workspace and built-in actor; `close` closes and drops it. */
export async function openEngineService(kind: EngineKind, name?: string): Promise<{ service: TicketService; caller: Caller; close: () => Promise<void> }> {
  const database = await createEngineDatabase(kind, name);
  const service = new TicketService(await database.open());
  const workspaceId = await service.ensureWorkspace();
  const actor = await service.resolveActor(workspaceId, undefined);
  const close = async () => {
    await service.close();
    await database.drop();
  };
  return { service, caller: { workspaceId, agentId: actor.id }, close };
}
