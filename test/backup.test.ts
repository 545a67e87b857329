import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ok, spawnServer, tempDir, type SpawnedServer } from './helpers.js';

/** `ticket-mcp backup` while two processes write; the copy restores and passes the doctor. */
const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('backup', () => {
  it('copies a database in use to one consistent snapshot that restores and passes the doctor', async () => {
    const db = join(dir, 'live.db');
    const copy = join(dir, 'copy.db');
    const writers: SpawnedServer[] = [await spawnServer(['--db', db]), await spawnServer(['--db', db])];
    const acknowledged: string[] = [];
    let writing = true;
    const storms = writers.map(async (w, n) => {
      for (let i = 0; writing; i++) {
        const t = await ok(w.client, 'create_ticket', { title: `Backup ${n}.${i}`, requestorEmail: 'b@example.com' });
        acknowledged.push(t.id);
        await ok(w.client, 'add_comment', { id: t.id, body: 'while backing up' });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const before = [...acknowledged];
    const backup = spawn(process.execPath, [CLI, 'backup', copy, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    backup.stdout.on('data', (chunk) => (out += chunk));
    const [code] = await once(backup, 'exit');
    writing = false;
    await Promise.all(storms);
    await Promise.all(writers.map((w) => w.client.close()));
    expect(code).toBe(0);
    expect(out).toMatch(/^Backed up .* pages/);

    const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--db', copy], { encoding: 'utf8' });
    expect(doctor.stdout).toMatch(/All \d+ checks passed/);
    const raw = new BetterSqlite3(copy, { readonly: true });
    const inCopy = new Set((raw.prepare('SELECT id FROM tickets').all() as { id: string }[]).map((r) => r.id));
    raw.close();
    expect(before.filter((id) => !inCopy.has(id))).toEqual([]);
    expect(inCopy.size).toBeLessThanOrEqual(acknowledged.length + writers.length);

    const restored = await spawnServer(['--db', copy]);
    expect((await ok(restored.client, 'get_ticket', { id: before[0] })).comments.map((c: { body: string }) => c.body)).toEqual(['while backing up']);
    await restored.client.close();
  });

  it('refuses to overwrite a file or copy a database that is not there', () => {
    const existing = spawnSync(process.execPath, [CLI, 'backup', join(dir, 'copy.db'), '--db', join(dir, 'live.db')], { encoding: 'utf8' });
    expect(existing.status).toBe(2);
    expect(existing.stderr).toContain('will not overwrite');
    const missing = spawnSync(process.execPath, [CLI, 'backup', join(dir, 'other.db'), '--db', join(dir, 'nope.db')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no database at');
  });
});
