import type pg from 'pg';
import type { Migration } from '../migrate.js';

/** Every process that migrates takes this lock first (an arbitrary constant, ours alone). */
const MIGRATION_LOCK = 7_349_210_553;
/** How long a starting process waits for another's migration, or for a table lock, before failing. */
const MIGRATION_LOCK_TIMEOUT = '30s';

/**
 * Brings the database up to the newest migration, in one transaction under a
 * transaction-scoped advisory lock: processes starting together queue on the lock, and
 * each reads the version only once it holds it, so every migration runs exactly once and
 * a failing one leaves the database as it was (PostgreSQL's DDL is transactional).
 * The applied versions are rows of schema_migrations, PostgreSQL's `user_version`.
 */
export async function migratePostgres(pool: pg.Pool, migrations: Migration[]): Promise<{ from: number; to: number }> {
  const latest = migrations.at(-1)?.version ?? 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = '${MIGRATION_LOCK_TIMEOUT}'`);
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const { rows: exists } = await client.query<{ found: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS found`);
      if (!exists[0]!.found) {
        await client.query(`CREATE TABLE schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      }
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      const from = rows[0]!.version ?? 0;
      if (from > latest) {
        throw new Error(
          `the database is at schema version ${from}, newer than this ticket-mcp knows (${latest}); upgrade ticket-mcp`,
        );
      }
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        if (migration.sql.trim()) await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      }
      await client.query('COMMIT');
      return { from, to: Math.max(from, latest) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}
