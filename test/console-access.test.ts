import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBrowser } from './browser.js';
import { openConsoleSite, type ConsoleSite } from './console-site.js';
import { ok } from './helpers.js';

/**
 * The console for people who use a keyboard or a screen reader, in Chromium: every control
 * named, real table headers, the main flows by Tab and Enter with the focus always visible,
 * live changes announced, and text and badges at WCAG AA contrast.
 */

/** What the focused element is called, as a person hears it: its label, aria-label or text. */
const focusedName = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
    return (el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '').trim();
  });

/** Tab until the focus is on `name` (at most 100 presses), checking on each stop that the focus shows. */
async function tabTo(page: Page, name: string | RegExp): Promise<void> {
  for (let presses = 0; presses < 100; presses++) {
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    });
    expect(outline, `focus visible on ${await focusedName(page)}`).toBe(true);
    const now = await focusedName(page);
    if (typeof name === 'string' ? now === name : name.test(now)) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

/** Every visible control of the page with no name a screen reader could read. */
const unnamedControls = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea, button, a[href]')]
      .filter((el) => !(el.labels && el.labels.length > 0 && el.labels[0]!.textContent!.trim()) && !el.getAttribute('aria-label')?.trim() && !(el.matches('button, a') && el.textContent!.trim()))
      .map((el) => el.outerHTML.slice(0, 120)),
  );

/** Text of the page (badges, counts, muted text, headers, links) below WCAG AA's 4.5:1 against what is behind it. */
const lowContrast = (page: Page) =>
  page.evaluate(() => {
    const rgb = (color: string) => color.match(/[\d.]+/g)!.map(Number);
    const luminance = (color: string) => {
      const [r, g, b] = rgb(color).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const background = (el: Element | null): string => {
      for (; el; el = el.parentElement) {
        const color = getComputedStyle(el).backgroundColor;
        if (rgb(color)[3] !== 0) return color;
      }
      return 'rgb(255, 255, 255)';
    };
    return [...document.querySelectorAll('.badge, .count, .tag, .muted, .notice, .alert, th, td, a, button, label, .key, .meta, .changes')]
      .filter((el) => (el as HTMLElement).offsetParent !== null && el.textContent!.trim())
      .map((el) => {
        const [fore, back] = [luminance(getComputedStyle(el).color), luminance(background(el))];
        return { text: `${el.className || el.tagName}: ${el.textContent!.trim().slice(0, 30)}`, ratio: (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05) };
      })
      .filter((c) => c.ratio < 4.5)
      .map((c) => `${c.text} (${c.ratio.toFixed(2)})`);
  });

describeBrowser('the web console for keyboard and screen reader', () => {
  describe('the web console for keyboard and screen reader [sqlite]', () => {
    let site: ConsoleSite;
    let key: string;

    beforeAll(async () => {
      site = await openConsoleSite('sqlite', { lead: ['--actor', 'lead@example.com'], agent: ['--actor', 'bot@example.com'] });
      await ok(site.agent, 'create_tag', { name: 'billing' });
      for (const [title, priorityName] of [['Refund not received', 'Urgent'], ['Cannot reset password', 'Low'], ['Invoice PDF is blank', 'High']] as const) {
        const t = await ok(site.agent, 'create_ticket', { title, priorityName, requestorEmail: 'ana@customer.example', dueDate: '2030-01-01' });
        await ok(site.agent, 'add_tag', { ticketId: t.ticketIdentifier, tagId: 'billing' });
        key = t.ticketIdentifier;
      }
      await ok(site.agent, 'takeover', { id: 'SUP-2' });
      await ok(site.agent, 'set_ticket_status', { id: 'SUP-2', status: 'resolved' });
      await ok(site.agent, 'add_comment', { id: 'SUP-1', body: 'A note for us.', internal: true });
    }, 60_000);
    afterAll(async () => site?.close());

    it('names every control of every page, labels the filters and the ticket controls, and gives tables scoped headers', async () => {
      const page = await (await site.browser.newContext()).newPage();
      await page.goto(`${site.origin}/signin`);
      expect(await unnamedControls(page)).toEqual([]);
      await page.close();
      const signed = await site.signedIn(site.keys.lead!);
      for (const path of ['/', '/tickets/SUP-1', '/tickets/SUP-2', '/agents', '/teams']) {
        await signed.goto(`${site.origin}${path}`);
        expect(await unnamedControls(signed), path).toEqual([]);
        expect(await signed.locator('th:not([scope])').count(), path).toBe(0);
      }
      await signed.goto(`${site.origin}/`);
      for (const label of ['Status', 'Assignee', 'Team', 'Tag', 'Priority', 'Search', 'Sort']) expect(await signed.getByLabel(label, { exact: true }).count(), label).toBe(1);
      await signed.goto(`${site.origin}/tickets/SUP-1`);
      for (const label of ['Status', 'Status comment', 'Assigned to', 'Team', 'Priority', 'Due date', 'New tag', 'Link type', 'Linked ticket', 'Comment', 'Internal note', 'Reason']) {
        expect(await signed.getByLabel(label, { exact: true }).count(), label).toBe(1);
      }
      await signed.context().close();
    });

    it('keeps text and badges at 4.5:1 contrast or more', async () => {
      const page = await site.signedIn(site.keys.lead!);
      for (const path of ['/', '/?status=resolved', '/tickets/SUP-1', '/tickets/SUP-2', '/agents', '/teams']) {
        await page.goto(`${site.origin}${path}`);
        expect(await lowContrast(page), path).toEqual([]);
      }
      await page.context().close();
    });

    it('works by keyboard alone: sign in, filter, open a ticket, change its status, add a comment; the focus always shows', async () => {
      const page = await (await site.browser.newContext()).newPage();
      await page.goto(`${site.origin}/`);
      await tabTo(page, 'API key');
      await page.keyboard.type(site.keys.lead!);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${site.origin}/`);

      await tabTo(page, 'Skip to the content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      await tabTo(page, 'Priority');
      await page.keyboard.press('End'); // the last priority: Urgent
      await tabTo(page, 'Apply');
      await page.keyboard.press('Enter');
      await page.waitForURL(/priority=Urgent/);
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);

      await tabTo(page, 'Refund not received');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${site.origin}/tickets/SUP-1`);
      await tabTo(page, 'Status');
      await page.keyboard.press('ArrowDown'); // open → pending
      await tabTo(page, 'Status comment');
      await page.keyboard.type('On it, by keyboard.');
      await tabTo(page, 'Change status');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await ok(site.agent, 'get_ticket', { id: 'SUP-1' })).status).toBe('pending');
      // The change's own message, in a status region, on the page the change led to.
      await page.locator('.notice[role=status]').waitFor();
      expect(await page.locator('.notice').textContent()).toMatch(/^Ticket SUP-1: .*open → pending/);

      await page.locator('#main').focus();
      await tabTo(page, 'Comment');
      await page.keyboard.type('Typed without a mouse.');
      await tabTo(page, 'Internal note');
      await page.keyboard.press('Space');
      await tabTo(page, 'Add comment');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await ok(site.agent, 'get_ticket', { id: 'SUP-1' })).comments.at(-1)).toMatchObject({ body: 'Typed without a mouse.', internal: true });
      await page.locator('.notice', { hasText: 'Internal note added to ticket SUP-1.' }).waitFor();
      await page.reload();
      expect(await page.locator('.notice').count()).toBe(0); // shown once
      await page.context().close();
    });

    it("announces an agent's live change in a polite status region that stays in place", async () => {
      const page = await site.signedIn(site.keys.lead!);
      await page.goto(`${site.origin}/tickets/${key}`);
      const note = page.getByRole('status');
      const before = (await note.textContent())!;
      await page.evaluate(() => ((document.getElementById('live-note') as HTMLElement & { kept?: boolean }).kept = true));
      // The note names the second it was made: wait for the next one, so the new note's text must differ.
      await expect.poll(() => page.evaluate(() => new Date().toISOString().slice(11, 19))).not.toBe(before.match(/\d\d:\d\d:\d\d/)![0]);
      await ok(site.agent, 'update_ticket', { id: key, title: 'Invoice PDF is blank for everyone' });
      await page.getByRole('heading', { name: 'Invoice PDF is blank for everyone' }).waitFor({ timeout: 5_000 });
      await expect.poll(() => note.textContent()).not.toBe(before);
      expect(await note.textContent()).toMatch(/^Up to date as of \d\d:\d\d:\d\d UTC\.$/);
      expect(await page.evaluate(() => (document.getElementById('live-note') as HTMLElement & { kept?: boolean }).kept)).toBe(true);
      await page.context().close();
    });
  });
});
