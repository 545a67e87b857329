import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser } from './browser.js';
import { openConsoleSite, type ConsoleSite } from './console-site.js';
import { describeEngines } from './engines.js';
import { ok } from './helpers.js';

/**
 * People and agents changing one ticket at once, in Chromium: whoever loses a race is told
 * what happened (who holds the ticket, what changed), a page never overwrites a change its
 * person did not see, and a refusal the server makes outside a tool shows on the page too.
 */
describeBrowser('the web console under races', () => {
  describeEngines('the web console under races', (kind) => {
    let site: ConsoleSite;
    const ticket = async (title: string) => (await ok(site.agent, 'create_ticket', { title, requestorEmail: 'ana@customer.example' })).ticketIdentifier as string;
    /** A page that gets no live updates, as when its stream has dropped: what it shows goes stale. */
    const offline = async (page: Page) => page.context().route('**/live*', (route) => route.abort());
    const statusOptions = (page: Page) => page.getByLabel('Status', { exact: true }).locator('option').allTextContents();

    beforeAll(async () => {
      site = await openConsoleSite(kind, { lead: ['--actor', 'lead@example.com'], sam: ['--actor', 'sam@example.com'], agent: ['--actor', 'bot@example.com'] });
    }, 60_000);
    afterAll(async () => site?.close());

    it('two people take the same ticket: the one who lost is told who holds it, and nothing changes hands', async () => {
      const key = await ticket('Printer on fire');
      const lead = await site.signedIn(site.keys.lead!);
      const sam = await site.signedIn(site.keys.sam!);
      await offline(sam);
      await sam.goto(`${site.origin}/tickets/${key}`);
      await lead.goto(`${site.origin}/tickets/${key}`);
      await lead.getByRole('button', { name: 'Take it' }).click();
      await lead.getByRole('button', { name: 'Release' }).waitFor();
      await sam.getByRole('button', { name: 'Take it' }).click();
      await sam.getByRole('alert').waitFor();
      expect(await sam.getByRole('alert').textContent()).toContain(`Ticket ${key} is held by`);
      expect(await sam.getByRole('alert').textContent()).toContain('lead@example.com');
      expect((await ok(site.agent, 'get_ticket', { id: key })).assignedAgent).toMatch(/lead/i);
      await lead.context().close();
      await sam.context().close();
    });

    it("the Status select follows an agent's live change; a stale page's move is refused, named as such, and the page shows the ticket as it is", async () => {
      const key = await ticket('VPN drops every hour');
      const live = await site.signedIn(site.keys.lead!);
      const stale = await site.signedIn(site.keys.sam!);
      await offline(stale);
      await live.goto(`${site.origin}/tickets/${key}`);
      await stale.goto(`${site.origin}/tickets/${key}`);
      expect(await statusOptions(live)).toEqual(['open', 'pending']);
      await ok(site.agent, 'takeover', { id: key });
      await ok(site.agent, 'set_ticket_status', { id: key, status: 'resolved', comment: 'Fixed the tunnel.' });
      await expect.poll(() => statusOptions(live), { timeout: 5_000 }).toEqual(['resolved', 'open', 'closed']);

      // The stale page still offers open → pending; taking it would undo the agent's work unseen.
      expect(await statusOptions(stale)).toEqual(['open', 'pending']);
      await stale.getByLabel('Status', { exact: true }).selectOption('pending');
      await stale.getByLabel('Status comment').fill('Starting on it.');
      await stale.getByRole('button', { name: 'Change status' }).click();
      await stale.getByRole('alert').waitFor();
      const said = (await stale.getByRole('alert').textContent())!;
      expect(said).toMatch(/it changed since you read it\. Nothing was changed\./);
      expect(said).toContain('This page now shows the ticket as it is');
      expect(await statusOptions(stale)).toEqual(['resolved', 'open', 'closed']);
      // What the person typed is kept for their next try.
      expect(await stale.getByLabel('Status comment').inputValue()).toBe('Starting on it.');
      const after = await ok(site.agent, 'get_ticket', { id: key });
      expect(after.status).toBe('resolved');
      const events = (await ok(site.agent, 'get_ticket_history', { id: key })).events as { actor: string }[];
      expect(events.filter((e) => /sam/i.test(e.actor))).toEqual([]);
      await live.context().close();
      await stale.context().close();
    });

    it('an assignee chosen on a stale page is refused rather than overwriting the new holder', async () => {
      const key = await ticket('Laptop will not boot');
      const page = await site.signedIn(site.keys.lead!);
      await offline(page);
      await page.goto(`${site.origin}/tickets/${key}`);
      await ok(site.agent, 'takeover', { id: key });
      await page.getByLabel('Assigned to').selectOption({ label: 'lead <lead@example.com>' });
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('it changed since you read it');
      expect((await ok(site.agent, 'get_ticket', { id: key })).assignedAgent).toMatch(/bot/i);
      await page.context().close();
    });

    it('shows the refusals the server makes outside a tool: a form of an earlier session, and an ended session', async () => {
      const key = await ticket('Monitor flickers');
      const first = await site.signedIn(site.keys.lead!);
      const second = await first.context().newPage();
      await first.goto(`${site.origin}/tickets/${key}`);
      await second.goto(`${site.origin}/tickets/${key}`);
      // Signed out and in again in a third tab: the first two hold forms of the ended session.
      const third = await first.context().newPage();
      await third.goto(`${site.origin}/`);
      await third.getByRole('button', { name: 'Sign out' }).click();
      await third.getByLabel('API key').fill(site.keys.lead!);
      await third.getByRole('button', { name: 'Sign in' }).click();
      await third.waitForURL(`${site.origin}/`);
      await first.getByLabel('Comment', { exact: true }).fill('From an old tab.');
      await first.getByRole('button', { name: 'Add comment' }).click();
      await first.getByText('This form is out of date; reload the page and try again.').waitFor();

      await third.getByRole('button', { name: 'Sign out' }).click();
      await third.waitForURL(`${site.origin}/signin`);
      await second.getByLabel('Comment', { exact: true }).fill('After signing out.');
      await second.getByRole('button', { name: 'Add comment' }).click();
      await second.getByText('Your session has ended; sign in again.').waitFor();
      await second.getByLabel('API key').waitFor();
      expect((await ok(site.agent, 'get_ticket', { id: key })).comments).toEqual([]);
      await first.context().close();
    });
  });
});
