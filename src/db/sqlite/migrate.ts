import type BetterSqlite3 from 'better-sqlite3';
import { unavailable } from '../../errors.js';
import type { Migration } from '../migrate.js';

/**
 * Brings the database up to the newest migration. Each migration runs in its own
 * immediate transaction and re-reads the version under the write lock, so several
 * processes starting at once on a new file apply each migration exactly once.
 */
export function migrate(raw: BetterSqlite3.Database, migrations: Migration[]): { from: number; to: number } {
  const latest = migrations.at(-1)?.version ?? 0;
  const userVersion = () => raw.pragma('user_version', { simple: true }) as number;
  const from = userVersion();
  if (from > latest) {
    throw new Error(
      `the database is at schema version ${from}, newer than this ticket-mcp knows (${latest}); upgrade ticket-mcp`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    raw
      .transaction(() => {
        if (userVersion() >= migration.version) return;
        raw.exec(migration.sql);
        raw.pragma(`user_version = ${migration.version}`);
      })
      .immediate();
  }
  return { from, to: userVersion() };
}

/** Tables only ticket-mcp's first migration makes: with user_version ≥ 1, they mark a database as ours. */
const OWN_TABLES = ['workspaces', 'tickets', 'events'];

/**
 * The schema version of a database ticket-mcp may open: 0 for an empty one. Another
 * application's database (tables, but not ours) is refused before anything is
 * written to it, not even its journal mode.
 */
export function schemaVersionOf(raw: BetterSqlite3.Database, path: string): number {
  const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const version = raw.pragma('user_version', { simple: true }) as number;
  if (tables.length === 0 && version === 0) return 0;
  if (version >= 1 && OWN_TABLES.every((t) => tables.includes(t))) return version;
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
  throw unavailable(
    `${path} is an SQLite database of another application (tables: ${shown || 'none'}; schema version ${version}), not a ticket-mcp database. ticket-mcp leaves it as it is.`,
    { hint: 'Point --db (or TICKETS_DB) at a new file, or at an existing ticket-mcp database.', details: { reason: 'not_a_ticket_mcp_database', path } },
  );
}
