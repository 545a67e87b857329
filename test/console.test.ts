import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser } from './browser.js';
import { openConsoleSite, type ConsoleSite } from './console-site.js';
import { describeEngines } from './engines.js';
import { ok } from './helpers.js';
import { connectHttp } from './serve.js';

/**
 * The web console in a real browser: `serve --http` as its own process, people signed in with
 * API keys in Chromium, and an agent changing tickets over MCP with the real SDK client.
 */
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

describeBrowser('the web console', () => {
  describeEngines('the web console', (kind) => {
    let site: ConsoleSite;
    let origin: string;
    let agent: Client;
    let keys: Record<string, string>;
    const bin = (...args: string[]) => site.bin(...args);
    const signedIn = (key: string) => site.signedIn(key);

    beforeAll(async () => {
      site = await openConsoleSite(
        kind,
        {
          lead: ['--actor', 'lead@example.com'],
          agent: ['--actor', 'bot@example.com'],
          viewer: ['--actor', 'viewer@example.com', '--read-only'],
          other: ['--actor', 'someone@example.com', '--workspace', 'other'],
        },
        ['other'],
      );
      ({ origin, agent, keys } = site);
      const seeds = [
        ['Refund not received for order 1182', 'Customer paid twice; refund promised last week.', 'High'],
        ['Cannot reset password', 'Reset email never arrives.', 'Medium'],
        ['<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> \u202Egnp.exe', 'Click <a href="javascript:window.pwned=3">here</a>', 'Urgent'],
        ['Invoice PDF is blank', 'Downloads an empty PDF since Monday.', 'Low'],
      ];
      for (const [title, description, priorityName] of seeds) {
        await ok(agent, 'create_ticket', { title, description, priorityName, requestorEmail: 'ana@customer.example' });
      }
      await ok(agent, 'takeover', { id: 'SUP-2' });
      await ok(agent, 'add_comment', { id: 'SUP-1', body: 'Checked the payment provider: the refund is queued.' });
      const other = await connectHttp(site.served.url, keys.other!);
      await ok(other, 'create_ticket', { title: 'Secret of workspace other', requestorEmail: 'x@other.example' });
      await other.close();
    }, 60_000);

    afterAll(async () => site?.close());

    it('signs in with an API key, lists the tickets in a real table, filters by status and searches', async () => {
      const page = await signedIn(keys.lead!);
      const headers = await page.getByRole('columnheader').allTextContents();
      expect(headers).toEqual(['Key', 'Title', 'Status', 'Priority', 'Assigned to', 'Team', 'Tags', 'Due', 'Created', 'Updated']);
      expect(await page.getByRole('row').count()).toBe(5);
      const cookie = (await page.context().cookies()).find((c) => c.name === 'tmcp_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(page.url()).not.toContain(keys.lead!);

      await page.getByLabel('Status').selectOption('pending');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/status=pending/);
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
      expect(await page.locator('tbody tr').first().textContent()).toContain('Cannot reset password');

      await page.goto(`${origin}/`);
      await page.getByLabel('Search').fill('refunds');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/q=refunds/);
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
      expect(await page.locator('tbody tr').first().textContent()).toContain('Refund not received');
      if (kind === 'sqlite') {
        await page.goto(`${origin}/`);
        await page.screenshot({ path: `${DOCS}console-list.png` });
      }
      await page.context().close();
    });

    it('opens a ticket; the Status select offers the current status and exactly the allowed moves; changes status with a comment', async () => {
      const page = await signedIn(keys.lead!);
      await page.getByRole('link', { name: 'Refund not received for order 1182' }).click();
      await page.waitForURL(`${origin}/tickets/SUP-1`);
      await expect.poll(() => page.getByLabel('Status', { exact: true }).locator('option').allTextContents()).toEqual(['open', 'pending']);
      await page.getByLabel('Status', { exact: true }).selectOption('pending');
      await page.getByLabel('Status comment').fill('Looking into the double charge.');
      await page.getByRole('button', { name: 'Change status' }).click();
      await expect.poll(() => page.getByLabel('Status', { exact: true }).locator('option').allTextContents()).toEqual(['pending', 'open', 'resolved']);
      const history = await agent.callTool({ name: 'get_ticket_history', arguments: { id: 'SUP-1' } });
      const events = (history.structuredContent as { data: { events: { type: string; actor: string; details: Record<string, unknown> }[] } }).data.events;
      expect(events.find((e) => e.type === 'status_changed')).toMatchObject({ actor: expect.stringMatching(/lead/i), details: { from: 'open', to: 'pending' } });
      expect(await page.locator('#comments').textContent()).toContain('Looking into the double charge.');
      await page.context().close();
    });

    it('adds an internal note, set apart in the thread', async () => {
      const page = await signedIn(keys.lead!);
      await page.goto(`${origin}/tickets/SUP-4`);
      await page.getByLabel('Comment', { exact: true }).fill('Only for us: the PDF service is down.');
      await page.getByLabel('Internal note').check();
      await page.getByRole('button', { name: 'Add comment' }).click();
      const note = page.locator('.comment.internal');
      await expect.poll(() => note.count()).toBe(1);
      expect(await note.textContent()).toContain('Only for us: the PDF service is down.');
      expect(await note.textContent()).toContain('Internal note');
      const ticket = await ok(agent, 'get_ticket', { id: 'SUP-4' });
      expect(ticket.comments.at(-1)).toMatchObject({ internal: true, author: expect.stringMatching(/lead/i) });
      await page.context().close();
    });

    it("shows an MCP agent's change live, without a reload, on the list and the detail page", async () => {
      const list = await signedIn(keys.lead!);
      const detail = await (await list.context()).newPage();
      await detail.goto(`${origin}/tickets/SUP-4`);
      // Half-typed when the agent's change arrives: the live refresh of the panel must keep it.
      await detail.getByLabel('Status comment').fill('Checking with the PDF team');
      await ok(agent, 'update_ticket', { id: 'SUP-4', title: 'Invoice PDF is blank for every customer' });
      await ok(agent, 'set_ticket_status', { id: 'SUP-4', status: 'pending' });
      await list.getByText('Invoice PDF is blank for every customer').waitFor({ timeout: 5_000 });
      await detail.getByRole('heading', { name: 'Invoice PDF is blank for every customer' }).waitFor({ timeout: 5_000 });
      await expect.poll(() => detail.getByLabel('Status', { exact: true }).inputValue(), { timeout: 5_000 }).toBe('pending');
      expect(await detail.getByLabel('Status comment').inputValue()).toBe('Checking with the PDF team');
      if (kind === 'sqlite') await detail.screenshot({ path: `${DOCS}console-detail.png`, fullPage: true });
      await list.context().close();
    });

    it("keeps the queue counts live: an MCP agent's new ticket and its status change recount them without a reload", async () => {
      // A team of its own, so the other cases' SUP keys stay as they expect.
      await ok(agent, 'create_team', { name: 'Live', identifier: 'LIV' });
      const page = await signedIn(keys.lead!);
      const count = async (queue: string) => Number(await page.locator('#queues a', { hasText: new RegExp(`^${queue}\\s*\\d+$`) }).locator('.count').textContent());
      const before = { unassigned: await count('Unassigned'), open: await count('Open'), pending: await count('Pending') };
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
      expect(await count('LIV')).toBe(0);
      const { id } = await ok(agent, 'create_ticket', { title: 'Counted live', teamId: 'LIV', requestorEmail: 'ana@customer.example' });
      await expect.poll(() => count('Unassigned'), { timeout: 5_000 }).toBe(before.unassigned + 1);
      expect(await count('LIV')).toBe(1);
      expect(await count('Open')).toBe(before.open + 1);
      await ok(agent, 'set_ticket_status', { id, status: 'pending' });
      await expect.poll(() => count('Pending'), { timeout: 5_000 }).toBe(before.pending + 1);
      expect(await count('Open')).toBe(before.open);
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      await ok(agent, 'delete_ticket', { id, confirm: true });
      await expect.poll(() => count('Pending'), { timeout: 5_000 }).toBe(before.pending);
      expect(await count('LIV')).toBe(0);
      await page.context().close();
    });

    it('deletes a ticket behind a confirmation; a refused change shows the tool message', async () => {
      const page = await signedIn(keys.lead!);
      await page.goto(`${origin}/tickets/SUP-2`);
      await expect(page.getByRole('button', { name: 'Confirm delete' }).isVisible()).resolves.toBe(false);
      await page.getByText('Delete…').click();
      await page.getByRole('button', { name: 'Confirm delete' }).click();
      await page.waitForURL(`${origin}/`);
      expect(await page.locator('tbody').textContent()).not.toContain('Cannot reset password');
      const ticket = await ok(agent, 'get_ticket', { id: 'SUP-2' });
      expect(ticket.deletedAt).not.toBeNull();
      await page.goto(`${origin}/tickets/SUP-2`);
      await page.getByRole('button', { name: 'Restore' }).click();
      await page.getByText('Delete…').waitFor();
      expect((await ok(agent, 'get_ticket', { id: 'SUP-2' })).deletedAt).toBeNull();

      await page.goto(`${origin}/tickets/SUP-3`);
      await page.getByLabel('Due date').fill('1960-01-01');
      await page.getByRole('button', { name: 'Set due date' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('must fall between 1970-01-01 and 9999-12-31');
      await page.context().close();
    });

    it('links two tickets: the link shows on both, each side in its own words, and goes from both when removed', async () => {
      const page = await signedIn(keys.lead!);
      await page.goto(`${origin}/tickets/SUP-1`);
      await page.getByLabel('Link type').selectOption('blocks');
      await page.getByLabel('Linked ticket').fill('SUP-4');
      await page.getByRole('button', { name: 'Add link' }).click();
      await expect.poll(() => page.locator('.links').textContent()).toContain('blocks SUP-4');
      await page.goto(`${origin}/tickets/SUP-4`);
      expect(await page.locator('.links').textContent()).toContain('blocked by SUP-1');
      await page.getByRole('button', { name: 'Remove link blocked by SUP-1' }).click();
      await page.getByText('No links.').waitFor();
      expect((await ok(agent, 'get_ticket', { id: 'SUP-1' })).links).toEqual([]);
      await page.context().close();
    });

    it('moves a ticket to another team: the page goes to the new key and the old URL leads there; the holder can release it', async () => {
      await ok(agent, 'create_team', { name: 'Billing', identifier: 'BIL' });
      await ok(agent, 'create_ticket', { title: 'Charged in the wrong currency', requestorEmail: 'ana@customer.example' });
      const page = await signedIn(keys.lead!);
      await page.goto(`${origin}/tickets/SUP-5`);
      await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Billing (BIL)' });
      await page.getByRole('button', { name: 'Move' }).click();
      await page.waitForURL(`${origin}/tickets/BIL-1`);
      await page.goto(`${origin}/`);
      // Counted before the move (at sign-in), counted again after it: the events seq moved.
      expect(await page.getByRole('link', { name: /^BIL\s*1$/ }).count()).toBe(1);
      await page.goto(`${origin}/tickets/SUP-5`);
      await page.waitForURL(`${origin}/tickets/BIL-1`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Charged in the wrong currency');
      // The timeline names the move in words, both keys and teams, and no ids.
      const moved = (await page.locator('.event-team_changed').textContent())!;
      expect(moved).toContain('moved the ticket');
      expect(moved).toMatch(/SUP-5[\s\S]*BIL-1/);
      expect(moved).not.toMatch(/\btm_/);

      await page.getByRole('button', { name: 'Take it' }).click();
      await page.getByRole('button', { name: 'Release' }).click();
      await page.getByRole('button', { name: 'Take it' }).waitFor();
      const ticket = await ok(agent, 'get_ticket', { id: 'SUP-5' });
      expect(ticket).toMatchObject({ ticketIdentifier: 'BIL-1', assignedAgentId: null });
      const events = (await ok(agent, 'get_ticket_history', { id: 'BIL-1' })).events as { type: string; actor: string }[];
      expect(events.filter((e) => e.type !== 'created').map((e) => e.type)).toEqual(['team_changed', 'assignment_changed', 'status_changed', 'assignment_changed', 'status_changed']);
      await page.context().close();
    });

    it('fits a phone (390 px): no page-wide scrolling, the table scrolls in its frame, the ticket title comes first', async () => {
      const wide = await signedIn(keys.lead!);
      const page = await wide.context().newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
      await page.goto(`${origin}/`);
      expect(await pageWidth()).toBe(390);
      await page.goto(`${origin}/tickets/SUP-1`);
      expect(await pageWidth()).toBe(390);
      const top = (selector: string) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().top);
      expect(await top('h1')).toBeLessThan(await top('.description'));
      if (kind === 'sqlite') await page.screenshot({ path: `${DOCS}console-phone.png` });
      await wide.context().close();
    });

    it('a read-only key gets no controls, and the server refuses its changes', async () => {
      const page = await signedIn(keys.viewer!);
      await page.goto(`${origin}/tickets/SUP-1`);
      expect(await page.getByRole('button', { name: /Change status|Assign|Take it|Add comment|Confirm delete/ }).count()).toBe(0);
      const csrf = await page.locator('input[name=_csrf]').first().inputValue();
      const answer = await page.evaluate(
        async ([csrf]) => (await fetch('/tickets/SUP-1/status', { method: 'POST', body: new URLSearchParams({ _csrf: csrf!, status: 'resolved' }) })).status,
        [csrf],
      );
      expect(answer).toBe(403);
      expect((await ok(agent, 'get_ticket', { id: 'SUP-1' })).status).toBe('pending');
      await page.context().close();
    });

    it("a key of one workspace sees nothing of another's", async () => {
      const page = await signedIn(keys.other!);
      expect(await page.locator('tbody').textContent()).toContain('Secret of workspace other');
      expect(await page.locator('tbody').textContent()).not.toContain('Refund');
      await page.goto(`${origin}/tickets/SUP-3`);
      expect(await page.getByRole('alert').textContent()).toMatch(/SUP-3/);
      await page.context().close();
    });

    it('renders a script-bearing title and a javascript: link as inert text', async () => {
      const page = await signedIn(keys.lead!);
      const violations: string[] = [];
      page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
      await page.goto(`${origin}/tickets/SUP-3`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('<script>window.pwned=1</script>');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('[U+202E]');
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      await page.context().close();
    });

    it('ends a session on sign-out, refuses a form without its CSRF token, and a revoked key ends its sessions', async () => {
      const page = await signedIn(keys.lead!);
      const forged = await page.evaluate(async () => (await fetch('/tickets/SUP-1/comment', { method: 'POST', body: new URLSearchParams({ body: 'forged' }) })).status);
      expect(forged).toBe(403);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${origin}/signin`);
      await page.goto(`${origin}/`);
      expect(page.url()).toBe(`${origin}/signin`);

      const revokable = bin('keys', 'create', '--actor', 'temp@example.com');
      const second = await signedIn(revokable);
      const id = bin('keys', 'list').split('\n').find((l) => l.includes('temp@example.com'))!.trim().split(/\s+/)[0]!;
      bin('keys', 'revoke', id);
      await second.goto(`${origin}/`);
      expect(second.url()).toBe(`${origin}/signin`);
      await second.context().close();
    });
  });
});
