import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openService, tempDir } from './helpers.js';
import { untilPrinted } from './serve.js';

/** `npm run demo:console` as a reader runs it: the link it prints works, the agents' work lands, and Ctrl-C stops it cleanly. */
const DEMO = fileURLToPath(new URL('../dist/scripts/demo-console.js', import.meta.url));
const { dir, cleanup } = tempDir();
afterAll(cleanup);
const demoEnv = (db: string, more: Record<string, string> = {}) => ({ ...process.env, TICKETS_DEMO_DB: db, TICKETS_DEMO_PORT: '0', TICKETS_DEMO_PACE_MS: '100', ...more });

describe('npm run demo:console', () => {
  it('seeds the queue, prints a working sign-in link, lets the agents claim, comment and complete, and stops on Ctrl-C', async () => {
    const db = join(dir, 'watched.db');
    const demo = spawn(process.execPath, [DEMO], { env: demoEnv(db), stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    demo.stderr!.on('data', (chunk) => (errors += chunk));
    const { text } = await untilPrinted(demo, demo.stdout!, /completed [A-Z]+-\d+\n[\s\S]*completed [A-Z]+-\d+\n/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/signin\?token=\S+)\n/.exec(text())![1]!;
    const signIn = await fetch(link);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('as <strong>Priya Shah</strong>');

    demo.kill('SIGINT');
    const [code] = await once(demo, 'exit');
    expect(code, errors).toBe(0);
    expect(text()).toContain('Seeded 40 tickets in 3 teams');
    expect(text()).toMatch(/Ctrl-C: stopping the agents and the console…\nStopped\./);

    const { service, caller } = await openService(db);
    const { data } = await service.listTickets(caller, { status: 'resolved', pageSize: 100 });
    expect(data.tickets.length).toBeGreaterThanOrEqual(2);
    for (const t of data.tickets) expect(t.assignee).toMatch(/^(Claude <claude|Codex <codex)@acme\.example>$/);
    const history = await service.getTicketHistory(caller, { id: data.tickets[0]!.key });
    expect(history.data.events.map((e) => e.type)).toEqual(expect.arrayContaining(['assignment_changed', 'comment_added', 'status_changed']));
    await service.close();
  }, 60_000);

  it('stops by itself after TICKETS_DEMO_SECONDS', () => {
    const demo = spawnSync(process.execPath, [DEMO], { env: demoEnv(join(dir, 'timed.db'), { TICKETS_DEMO_SECONDS: '1' }), encoding: 'utf8', timeout: 60_000 });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/Open the console as Priya Shah[^\n]*\n {2}http:\/\/127\.0\.0\.1:\d+\/signin\?token=/);
    expect(demo.stdout).toMatch(/1 s are up: stopping the agents and the console…\nStopped\. The database stays at/);
  });
});
