import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { redactUrl } from '../src/db/url.js';

/**
 * PostgreSQL for the test suites: the server named by TICKETS_TEST_PG_URL (default: the
 * local one), a database of its own per test file (createTestDatabase), and describePg,
 * which runs a suite only when that server answers.
 */
export const PG_URL = process.env.TICKETS_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const PROBE_TIMEOUT_MS = 3_000;

async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => {}); // a failure here surfaces through connect() or query()
  try {
    await client.connect();
    return await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

const PREFIX = 'ticket_mcp_test_';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
};

/**
 * Drops the test databases of processes that died before dropping them (a killed run),
 * once per process. Only on a server of this machine, where a database's pid is a process
 * here: on a shared server, another machine's live run would look dead.
 */
let swept: Promise<void> | undefined;
const dropOrphans = () =>
  (swept ??= (async () => {
    if (!['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(PG_URL).hostname)) return;
    const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`);
    for (const { datname } of rows as { datname: string }[]) {
      const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
      if (pid && !isAlive(pid)) await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  })());

/** Why the server cannot be used, or undefined when it answers. */
async function probe(): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || (error as { code?: string }).code : String(error);
  }
}

// Decided once per test file, before its suites are declared.
const unreachable = await probe();

export async function pgAvailable(): Promise<boolean> {
  return unreachable === undefined;
}

/**
 * `describe` for a suite that needs PostgreSQL. With no server it is skipped with one loud
 * line on stderr; with CI=true it fails instead, so CI cannot pass without running it.
 */
export function describePg(name: string, body: () => void): void {
  if (unreachable === undefined) {
    describe(name, body);
    return;
  }
  const why = `no server at ${redactUrl(PG_URL)} (${unreachable}); set TICKETS_TEST_PG_URL`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a PostgreSQL server (CI=true)', () => {
        throw new Error(`PostgreSQL suite "${name}" FAILED: ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`PostgreSQL suite "${name}" SKIPPED: ${why}\n`);
  describe.skip(name, body);
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>;
}

/**
 * A new, empty database on the test server, named uniquely for this process. `icuLocale`
 * gives it a linguistic default collation (managed servers often sort as en-US), to show
 * the schema does not depend on the server's C locale.
 */
export async function createTestDatabase(options: { icuLocale?: string } = {}): Promise<TestDatabase> {
  await dropOrphans();
  const name = `${PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const locale = options.icuLocale ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale}'` : '';
  await adminQuery(`CREATE DATABASE ${name}${locale}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
