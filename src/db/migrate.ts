import type BetterSqlite3 from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_HEADER = /^-- migration (\d+): (.+)$/gm;

/** Splits schema.sql into its numbered migrations; numbers must run 1, 2, 3, … */
export function parseMigrations(schemaSql: string): Migration[] {
  const headers = [...schemaSql.matchAll(MIGRATION_HEADER)];
  return headers.map((header, i) => {
    const version = Number(header[1]);
    if (version !== i + 1) throw new Error(`schema.sql: migration ${version} found where ${i + 1} was expected`);
    const start = header.index + header[0].length;
    const end = headers[i + 1]?.index ?? schemaSql.length;
    return { version, name: header[2]!.trim(), sql: schemaSql.slice(start, end) };
  });
}

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
