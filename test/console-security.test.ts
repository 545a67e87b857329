import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../src/console/actions.js';
import { STREAMS_PER_SESSION } from '../src/console/live.js';
import { describeBrowser } from './browser.js';
import { openConsoleSite, type ConsoleSite } from './console-site.js';
import { ok } from './helpers.js';

/**
 * The console under attack, in Chromium and over raw HTTP: markup through every text a ticket,
 * agent, team, tag, comment, link, error or URL filter can carry; the headers of every kind of
 * answer; redirects that stay on the console; a session's live streams bounded.
 */
const MARK = `"'><i class="xss">x</i>`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describeBrowser('the web console under attack', () => {
  describe('the web console under attack [sqlite]', () => {
    let site: ConsoleSite;
    let page: Page;
    let cookie: string;
    let csrf: string;

    /** One request as any client may send it (Host, Origin and all); a live stream is cut once its headers arrive. */
    function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
      const { hostname, port } = new URL(site.origin);
      return new Promise((resolve, reject) => {
        const req = request({ hostname, port, method, path, headers: { cookie, ...headers } }, (res) => {
          if (res.headers['content-type']?.startsWith('text/event-stream')) {
            resolve({ status: res.statusCode!, headers: res.headers, body: '' });
            return res.destroy();
          }
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    }

    beforeAll(async () => {
      site = await openConsoleSite('sqlite', { lead: ['--actor', 'lead@example.com'], agent: ['--actor', 'bot@example.com'] });
      page = await site.signedIn(site.keys.lead!);
      cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      csrf = await page.locator('input[name=_csrf]').first().inputValue();
    }, 60_000);
    afterAll(async () => site?.close());

    it('renders every text a ticket, agent, team, tag, comment, link, error and URL filter carries as text', async () => {
      const { agent } = site;
      await ok(agent, 'create_agent', { name: MARK, email: 'marked@example.com' });
      await ok(agent, 'create_team', { name: MARK, identifier: 'XSS' });
      await ok(agent, 'create_tag', { name: MARK });
      const marked = await ok(agent, 'create_ticket', {
        title: MARK,
        description: MARK,
        requestorEmail: 'req@example.com',
        requestorFirstName: MARK,
        requestorLastName: MARK,
        source: MARK,
        metadata: { [MARK]: MARK },
        assignedAgentEmail: 'marked@example.com',
      });
      const other = await ok(agent, 'create_ticket', { title: `other ${MARK}`, requestorEmail: 'req@example.com' });
      await ok(agent, 'add_tag', { ticketId: marked.ticketIdentifier, tagId: MARK });
      await ok(agent, 'add_comment', { id: marked.ticketIdentifier, body: MARK });
      await ok(agent, 'link_tickets', { id: marked.ticketIdentifier, relatedId: other.ticketIdentifier, type: 'blocks' });
      await ok(agent, 'update_ticket', { id: marked.ticketIdentifier, metadata: { [MARK]: `${MARK}2` } });
      const moved = await ok(agent, 'update_ticket', { id: marked.ticketIdentifier, teamId: 'XSS' });
      const key = moved.ticketIdentifier as string;

      const filters = new URLSearchParams({ q: MARK, tag: MARK, assignee: MARK, team: MARK, status: MARK, priority: MARK, sort: MARK, cursor: MARK });
      for (const path of ['/', `/tickets/${key}`, `/tickets/${key}?order=oldest`, `/tickets/${other.ticketIdentifier}`, '/agents', '/teams', `/?${filters}`, `/?q=${encodeURIComponent(MARK)}`]) {
        await page.goto(`${site.origin}${path}`);
        expect(await page.locator('.xss').count(), path).toBe(0);
        expect(await page.locator('body').textContent(), path).toContain('<i class="xss">');
      }
      // Refusals that echo what was typed: an unknown tag, a key that is no ticket.
      await page.goto(`${site.origin}/tickets/${key}`);
      await page.getByLabel('New tag').fill(`${MARK}new`.slice(0, 60));
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByLabel('Linked ticket').fill(MARK);
      await page.getByRole('button', { name: 'Add link' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.locator('.xss').count()).toBe(0);
      expect(await page.evaluate(() => document.querySelectorAll('script:not([src])').length)).toBe(0);
    });

    it('sends the CSP, no framing and no caching on every answer: pages, refusals, errors, 404s, assets, the live stream', async () => {
      const form = (fields: Record<string, string>) => String(new URLSearchParams(fields));
      const post = { 'content-type': 'application/x-www-form-urlencoded', origin: site.origin };
      const answers: Record<string, Answer> = {
        'sign-in page': await raw('GET', '/signin', { cookie: '' }),
        'list page': await raw('GET', '/'),
        'redirect to sign-in': await raw('GET', '/', { cookie: '' }),
        'no such page': await raw('GET', '/nope'),
        'no such ticket': await raw('GET', '/tickets/NOPE-1'),
        'change to no such ticket': await raw('POST', '/tickets/NOPE-1/comment', post, form({ _csrf: csrf, body: 'hi' })),
        'no origin': await raw('POST', '/tickets/SUP-1/comment', { 'content-type': post['content-type'] }, form({ _csrf: csrf, body: 'hi' })),
        'no CSRF token': await raw('POST', '/tickets/SUP-1/comment', post, form({ body: 'hi' })),
        'form too large': await raw('POST', '/tickets/SUP-1/comment', post, form({ _csrf: csrf, body: 'x'.repeat(300_000) })),
        'foreign Host': await raw('GET', '/', { host: 'evil.example' }),
        'live stream': await raw('GET', '/live?since=0'),
        'live stream without a session': await raw('GET', '/live', { cookie: '' }),
        stylesheet: await raw('GET', '/assets/console.css'),
        script: await raw('GET', '/assets/htmx.min.js'),
      };
      expect(answers['change to no such ticket']!.status).toBe(404);
      expect(answers['change to no such ticket']!.body).toContain('NOPE-1');
      expect(answers['form too large']!.status).toBe(413);
      expect(answers['foreign Host']!.status).toBe(403);
      expect(answers['live stream']!.status).toBe(200);
      for (const [name, answer] of Object.entries(answers)) {
        expect(answer.headers['content-security-policy'], name).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
        expect(answer.headers['content-security-policy'], name).not.toContain('unsafe-inline');
        expect(answer.headers['x-frame-options'], name).toBe('DENY');
        expect(answer.headers['x-content-type-options'], name).toBe('nosniff');
        if (!['stylesheet', 'script'].includes(name)) expect(answer.headers['cache-control'], name).toBe('no-store');
      }
    });

    it('refuses every change route without its CSRF token or from another origin; a GET of one changes nothing and leads to the ticket', async () => {
      const created = await ok(site.agent, 'create_ticket', { title: 'Guarded', requestorEmail: 'req@example.com' });
      const key = created.ticketIdentifier as string;
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const fields = (extra: Record<string, string>) => String(new URLSearchParams({ version: String(created.version), status: 'pending', body: 'forged', tag: 'x', confirm: 'true', ...extra }));
      const routes = [...ACTION_NAMES.map((action) => `/tickets/${key}/${action}`), '/signout'];
      expect(routes.length).toBeGreaterThanOrEqual(15);
      for (const route of routes) {
        expect((await raw('POST', route, { ...form, origin: site.origin }, fields({}))).status, `${route} without a token`).toBe(403);
        expect((await raw('POST', route, { ...form, origin: site.origin }, fields({ _csrf: 'x'.repeat(csrf.length) }))).status, `${route} with a wrong token`).toBe(403);
        expect((await raw('POST', route, { ...form, origin: 'http://evil.example' }, fields({ _csrf: csrf }))).status, `${route} from another origin`).toBe(403);
        expect((await raw('POST', route, form, fields({ _csrf: csrf }))).status, `${route} with no origin`).toBe(403);
        const opened = await raw('GET', route);
        expect(opened.status, `GET ${route}`).toBe(route === '/signout' ? 404 : 303);
        if (route !== '/signout') expect(opened.headers.location).toBe(`/tickets/${key}`);
      }
      const after = await ok(site.agent, 'get_ticket', { id: key });
      expect(after).toMatchObject({ version: created.version, status: 'open', comments: [] });
      expect((await raw('GET', '/')).status).toBe(200); // the session was not signed out either
    });

    it('keeps every redirect on the console, with no header a query could inject', async () => {
      const created = await ok(site.agent, 'create_ticket', { title: 'Will move', requestorEmail: 'req@example.com' });
      const moved = await ok(site.agent, 'update_ticket', { id: created.ticketIdentifier, teamId: 'XSS' });
      const old = await raw('GET', `/tickets/${created.ticketIdentifier}?next=//evil.example&x=%0d%0aSet-Cookie:%20a=b`);
      expect(old.status).toBe(303);
      expect(old.headers.location).toBe(`/tickets/${moved.ticketIdentifier}?next=%2F%2Fevil.example&x=%0D%0ASet-Cookie%3A+a%3Db`);
      expect(old.headers['set-cookie']).toBeUndefined();
      expect((await raw('GET', '//evil.example/')).status).toBe(404);
      const signIn = await raw('POST', '/signin?next=https://evil.example/', { 'content-type': 'application/x-www-form-urlencoded', origin: site.origin, cookie: '' }, `key=${site.keys.lead}`);
      expect(signIn.headers.location).toBe('/');
    });

    it('signs in with a fresh session token: a cookie planted before sign-in is neither kept nor valid', async () => {
      const context = await site.browser.newContext();
      await context.addCookies([{ name: 'tmcp_session', value: 'planted-by-someone-else', url: site.origin }]);
      const fresh = await context.newPage();
      await fresh.goto(`${site.origin}/`);
      expect(fresh.url()).toBe(`${site.origin}/signin`);
      await fresh.getByLabel('API key').fill(site.keys.lead!);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.waitForURL(`${site.origin}/`);
      const session = (await context.cookies()).find((c) => c.name === 'tmcp_session')!;
      expect(session.value).not.toBe('planted-by-someone-else');
      expect(session.value.length).toBeGreaterThanOrEqual(43);
      await context.close();
    });

    it('answers a search past the bound with the tool message, not an error', async () => {
      await page.goto(`${site.origin}/?q=${'x'.repeat(5_000)}`);
      expect(await page.getByRole('alert').textContent()).toMatch(/search/i);
      expect(await page.getByRole('columnheader').count()).toBe(10);
    });

    it(`holds at most ${STREAMS_PER_SESSION} live streams per session; a closed one frees its place`, async () => {
      // A session of its own, with no page open: no browser stream counts against it.
      const signIn = await raw('POST', '/signin', { 'content-type': 'application/x-www-form-urlencoded', origin: site.origin, cookie: '' }, `key=${site.keys.lead}`);
      const own = { cookie: signIn.headers['set-cookie']![0]!.split(';')[0]! };
      const { hostname, port } = new URL(site.origin);
      const streams = await Promise.all(
        Array.from({ length: STREAMS_PER_SESSION }, () => new Promise<IncomingMessage>((resolve, reject) => request({ hostname, port, path: '/live', headers: own }, resolve).on('error', reject).end())),
      );
      expect(streams.map((s) => s.statusCode)).toEqual(Array(STREAMS_PER_SESSION).fill(200));
      const refused = await raw('GET', '/live', own);
      expect(refused.status).toBe(429);
      expect(refused.body).toContain('close one');
      // Another session of the same person is not held back by this one's streams.
      const other = await site.signedIn(site.keys.lead!);
      expect(await other.evaluate(async () => (await fetch('/live')).status)).toBe(200);
      await other.context().close();
      streams[0]!.destroy();
      await expect.poll(async () => (await raw('GET', '/live', own)).status).toBe(200);
      for (const s of streams) s.destroy();
    });
  });
});
