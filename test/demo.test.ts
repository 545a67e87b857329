import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The README's first command (`npm run demo`) and `npm run demo:http`, run to the end as a reader runs them. */
const script = (name: string) => fileURLToPath(new URL(`../dist/scripts/${name}.js`, import.meta.url));
const run = (name: string) => spawnSync(process.execPath, [script(name)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });

describe('the demos', () => {
  it('npm run demo: two server processes work tickets, one wins the race, and the trail is shown', () => {
    const demo = run('demo');
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/Agent Priya Shah <priya@acme\.example> created in ENG, SUP\./);
    expect(demo.stdout).toMatch(/CONFLICT Ticket SUP-2 is held by/);
    expect(demo.stdout).toMatch(/v7 status_changed +by (claude|codex) +resolved → closed/);
    expect(demo.stdout).toMatch(/Done\. The database was a throwaway/);
  });

  it('npm run demo:http: keys, two workspaces kept apart, and a read-only auditor', () => {
    const demo = run('demo-http');
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/FORBIDDEN The tool "delete_ticket" is not available here: this connection is read-only\./);
    expect(demo.stdout).toMatch(/Done\. The server was stopped and the database removed\./);
  });
});
