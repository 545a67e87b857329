import { existsSync } from 'node:fs';
import { openSqlite } from '../db/sqlite/open.js';
import { examinePostgresUrl } from '../db/postgres/doctor.js';
import { isPostgresUrl, redactUrl } from '../db/url.js';
import type { Finding } from '../db/finding.js';
import { examine } from '../db/sqlite/doctor.js';
import { unavailable } from '../errors.js';
import { databasePath } from './common.js';
import { UsageError, type Values } from './options.js';

/** The doctor's report on stdout, as text or JSON; true when every check passed. */
export function reportFindings(db: string, findings: Finding[], { tickets, json = false }: { tickets?: number; json?: boolean } = {}): boolean {
  const failed = findings.filter((f) => !f.ok);
  if (json) {
    process.stdout.write(`${JSON.stringify({ db, ok: failed.length === 0, findings }, null, 2)}\n`);
  } else {
    process.stdout.write(`ticket-mcp doctor: ${db}${tickets === undefined ? '' : ` (${tickets.toLocaleString('en')} tickets)`}\n`);
    for (const f of findings) process.stdout.write(`  ${f.ok ? 'ok  ' : 'FAIL'}  ${f.check}: ${f.detail}\n`);
    process.stdout.write(failed.length === 0 ? `All ${findings.length} checks passed.\n` : `${failed.length} of ${findings.length} checks failed.\n`);
  }
  return failed.length === 0;
}

/** `ticket-mcp doctor`: each invariant checked and reported; exit code 1 when one fails. */
export async function runDoctor(values: Values): Promise<void> {
  const path = databasePath(values);
  if (isPostgresUrl(path)) {
    const { findings, tickets } = await examinePostgresUrl(path);
    process.exitCode = reportFindings(redactUrl(path), findings, { tickets, json: values.json }) ? 0 : 1;
    return;
  }
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  // Opened as it is: no migrations, no writes (the full-text check needs a writable handle but changes nothing).
  const db = openSqlite(path, { timeout: 5_000 });
  try {
    const findings = examine(db);
    const tickets = findings.every((f) => !f.ok) ? undefined : (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n;
    process.exitCode = reportFindings(path, findings, { tickets, json: values.json }) ? 0 : 1;
  } finally {
    db.close();
  }
}

/**
 * `ticket-mcp backup PATH`: SQLite's online backup, copying every page in one step,
 * so the copy is one consistent snapshot while writers go on (WAL lets them).
 * PostgreSQL has its own tool for that, named with the command to run.
 */
export async function runBackup(target: string | undefined, values: Values): Promise<void> {
  const path = databasePath(values);
  if (isPostgresUrl(path)) {
    const shown = redactUrl(path);
    const password = shown === path ? '' : ' (*** stands for the password: put it back, or leave it out and set PGPASSWORD)';
    throw unavailable(`backup copies SQLite files; ${shown} is a PostgreSQL database: back it up with PostgreSQL's pg_dump. Nothing was written.`, {
      hint: `Run: pg_dump --format=custom --file ${target ?? 'tickets.dump'} '${shown}'${password}; restore with pg_restore into an empty database.`,
    });
  }
  if (!target) throw new UsageError('backup needs the PATH to write the copy to');
  if (existsSync(target)) throw new UsageError(`${target} exists; backup will not overwrite a file`);
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  const db = openSqlite(path, { readonly: true, timeout: 5_000 });
  try {
    const started = performance.now();
    const { totalPages } = await db.backup(target, { progress: ({ totalPages: pages }) => Math.max(pages, 1) });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`Backed up ${path} to ${target}: ${totalPages} pages in ${seconds} s. Check it with: ticket-mcp doctor --db ${target}\n`);
  } finally {
    db.close();
  }
}
