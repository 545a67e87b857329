import { existsSync } from 'node:fs';
import { openSqlite } from '../db/sqlite/open.js';
import { examine } from '../db/sqlite/doctor.js';
import { databasePath } from './common.js';
import { UsageError, type Values } from './options.js';

/** `ticket-mcp doctor`: each invariant checked and reported; exit code 1 when one fails. */
export function runDoctor(values: Values): void {
  const path = databasePath(values);
  if (!existsSync(path)) throw new UsageError(`no database at ${path}`);
  // Opened as it is: no migrations, no writes (the full-text check needs a writable handle but changes nothing).
  const db = openSqlite(path, { timeout: 5_000 });
  try {
    const findings = examine(db);
    const failed = findings.filter((f) => !f.ok);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ db: path, ok: failed.length === 0, findings }, null, 2)}\n`);
    } else {
      const tickets = failed.length === findings.length ? '' : ` (${(db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n.toLocaleString('en')} tickets)`;
      process.stdout.write(`ticket-mcp doctor: ${path}${tickets}\n`);
      for (const f of findings) process.stdout.write(`  ${f.ok ? 'ok  ' : 'FAIL'}  ${f.check}: ${f.detail}\n`);
      process.stdout.write(failed.length === 0 ? `All ${findings.length} checks passed.\n` : `${failed.length} of ${findings.length} checks failed.\n`);
    }
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    db.close();
  }
}

/**
 * `ticket-mcp backup PATH`: SQLite's online backup, copying every page in one step,
 * so the copy is one consistent snapshot while writers go on (WAL lets them).
 */
export async function runBackup(target: string | undefined, values: Values): Promise<void> {
  if (!target) throw new UsageError('backup needs the PATH to write the copy to');
  if (existsSync(target)) throw new UsageError(`${target} exists; backup will not overwrite a file`);
  const path = databasePath(values);
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
