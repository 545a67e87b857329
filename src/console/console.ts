import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Caller } from '../service/context.js';
import type { ConsoleSession } from '../service/console-sessions.js';
import { SESSION_HOURS } from '../service/console-sessions.js';
import type { TicketService } from '../service/service.js';
import { isAction, runAction } from './actions.js';
import { isAsset, sendAsset } from './assets.js';
import { detailPage, loadDetail } from './detail-page.js';
import { agentsPage, teamsPage } from './directory-page.js';
import { html, type Html } from './html.js';
import { cookies, readForm, redirect, sendHtml } from './http-kit.js';
import { page, type Viewer } from './layout.js';
import { listPage } from './list-page.js';
import { LiveHub } from './live.js';
import { QueueCountCache } from './queue-cache.js';
import { localSignInPage, signInPage } from './signin.js';

/**
 * The web console: server-rendered pages over the same service as the tools. A person
 * signs in with an API key (or, with `ticket-mcp console`, by a one-time link) and gets
 * a session cookie; every change is a tool's own operation, with that person as the actor.
 */
export interface ConsoleOptions {
  log: Logger;
  /** `ticket-mcp console`: one local person, signed in by a one-time link instead of a key. */
  local?: { caller: Caller; actorName: string };
  /** Behind a TLS proxy that sets X-Forwarded-Proto: mark cookies Secure when it says https. */
  trustProxy?: boolean;
}

export interface Console {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** The local console's sign-in link for a server at `origin`; each link works once. */
  signInLink(origin: string): string;
  close(): void;
}

const COOKIE = 'tmcp_session';
/** Notices waiting for the page a change's redirect leads to; a session that never follows its redirect leaves one behind. */
const MAX_NOTICES = 1_000;
const csrfOf = (token: string) => createHash('sha256').update(`csrf:${token}`).digest('base64url');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const PAGES = new Set(['/', '/signin', '/signin/local', '/signout', '/live', '/agents', '/teams']);
const TICKET_PATH = /^\/tickets\/([A-Za-z][A-Za-z0-9]{0,19}-\d{1,12})(?:\/([a-z]+))?$/;
const notFound = (res: ServerResponse, message: Html, viewer?: Viewer) => sendHtml(res, 404, page('Not found', html`<p class="alert" role="alert">${message}</p>`, viewer));
const NO_PAGE = html`No such page. <a href="/">Back to the tickets</a>.`;

/** A tool's refusal for a person; a stale version's says the page now shows what changed. */
function refusal(error: DomainError): string {
  const stale = error.code === 'CONFLICT' && error.extras.details?.currentVersion !== undefined;
  return stale ? `${error.message} This page now shows the ticket as it is: check its history, then try again.` : error.message;
}

export function createConsole(service: TicketService, options: ConsoleOptions): Console {
  const { log, local } = options;
  const live = new LiveHub(service, log);
  const queueCounts = new QueueCountCache(service);
  let oneTimeToken = randomBytes(24).toString('base64url');
  /** A change's own message per session (by its CSRF token), shown once on the page its redirect leads to, by this process. */
  const notices = new Map<string, string>();

  function leaveNotice(session: string, message: string): void {
    notices.delete(session);
    notices.set(session, message);
    if (notices.size > MAX_NOTICES) notices.delete(notices.keys().next().value!);
  }

  /** The notice for a page a person opens; a live part of a page refreshing itself does not take it. */
  function takeNotice(req: IncomingMessage, session: string): string | undefined {
    if (req.headers['hx-request'] && !req.headers['hx-boosted']) return undefined;
    const notice = notices.get(session);
    notices.delete(session);
    return notice;
  }

  const secure = (req: IncomingMessage) =>
    'encrypted' in req.socket || (options.trustProxy === true && String(req.headers['x-forwarded-proto']).split(',')[0]!.trim() === 'https');
  const sessionCookie = (req: IncomingMessage, token: string, maxAge: number) =>
    `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure(req) ? '; Secure' : ''}`;

  /** A POST must come from a page of this very origin (CSRF and DNS rebinding both fail here). */
  function sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return false;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): Promise<void> {
    if (local) {
      const token = form.get('token') ?? '';
      if (!same(token, oneTimeToken)) return sendHtml(res, 403, localSignInPage('', local.actorName, 'This sign-in link was already used or is wrong; run ticket-mcp console again for a new one.'));
      oneTimeToken = randomBytes(24).toString('base64url');
      const session = await service.createSession({ caller: local.caller, readOnly: false });
      log.info('console sign-in', { actor: local.actorName, local: true });
      return redirect(res, '/', { 'set-cookie': sessionCookie(req, session.token, SESSION_HOURS * 3600) });
    }
    const identity = await service.authenticate(form.get('key')?.trim() ?? '');
    if (!identity) {
      log.info('console sign-in refused', { reason: 'unknown or revoked key' });
      return sendHtml(res, 401, signInPage('That API key is unknown or revoked.'));
    }
    const session = await service.createSession({ caller: identity.caller, readOnly: identity.readOnly, keyId: identity.keyId });
    log.info('console sign-in', { actor: identity.actorName, readOnly: identity.readOnly });
    return redirect(res, '/', { 'set-cookie': sessionCookie(req, session.token, SESSION_HOURS * 3600) });
  }

  async function act(res: ServerResponse, session: ConsoleSession, viewer: Viewer, key: string, action: string, form: URLSearchParams): Promise<void> {
    if (session.readOnly) return sendHtml(res, 403, page('Read-only', html`<p class="alert" role="alert">This console is read-only: your API key cannot change tickets.</p>`, viewer));
    try {
      const done = await runAction(service, session.caller, action, key, form);
      log.info('console change', { action, ticket: key, actor: session.actorEmail });
      leaveNotice(viewer.csrf, done.message);
      return redirect(res, action === 'delete' ? '/' : `/tickets/${done.key}`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const detail = await loadDetail(service, session.caller, key).catch((missing: unknown) => {
        if (missing instanceof DomainError && missing.code === 'NOT_FOUND') return undefined;
        throw missing;
      });
      // No ticket to show the refusal on (a key of another workspace, say): the tool's message alone.
      if (!detail) return notFound(res, html`${error.message}`, viewer);
      return sendHtml(res, 422, detailPage(viewer, detail, new URLSearchParams(), refusal(error), form));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && isAsset(path)) return sendAsset(res, path);
    if (!PAGES.has(path) && !TICKET_PATH.test(path)) return notFound(res, NO_PAGE);
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const post = req.method === 'POST';
    if (post && !sameOrigin(req)) {
      log.warn('console request refused', { reason: 'origin', origin: req.headers.origin });
      return sendHtml(res, 403, page('Refused', html`<p class="alert" role="alert">Changes are only taken from this console's own pages.</p>`));
    }
    const form = post ? await readForm(req) : new URLSearchParams();
    if (path === '/signin') {
      if (post) return signIn(req, res, form);
      if (local) return sendHtml(res, 200, localSignInPage(query.get('token') ?? '', local.actorName, query.get('token') ? undefined : 'Open the sign-in link that ticket-mcp console printed.'));
      return sendHtml(res, 200, signInPage());
    }
    if (path === '/signin/local' && post && local) return signIn(req, res, form);
    const token = cookies(req).get(COOKIE);
    const session = token ? await service.findSession(token) : undefined;
    if (!session || !token) {
      if (post || path === '/live') return sendHtml(res, 401, signInPage('Your session has ended; sign in again.'), { 'set-cookie': sessionCookie(req, '', 0) });
      return redirect(res, '/signin');
    }
    const csrf = csrfOf(token);
    if (post && !same(form.get('_csrf') ?? '', csrf)) {
      log.warn('console request refused', { reason: 'csrf' });
      return sendHtml(res, 403, page('Refused', html`<p class="alert" role="alert">This form is out of date; reload the page and try again.</p>`));
    }
    if (path === '/signout' && post) {
      await service.endSession(token);
      return redirect(res, '/signin', { 'set-cookie': sessionCookie(req, '', 0) });
    }
    if (path === '/live' && req.method === 'GET') {
      // The CSRF token names the session: a hash of its cookie, so the hub keeps no secret.
      return live.open(res, session.caller, Number(query.get('since') ?? -1), csrf);
    }
    const viewer: Viewer = { agentId: session.caller.agentId, actorName: session.actorName, workspace: session.workspace, readOnly: session.readOnly, csrf, seq: await service.latestSeq(session.caller) };
    if (req.method === 'GET') viewer.notice = takeNotice(req, csrf);
    if (req.method === 'GET' && path === '/') return sendHtml(res, 200, await listPage(service, session.caller, viewer, query, await queueCounts.get(session.caller, viewer.seq)));
    if (req.method === 'GET' && path === '/agents') return sendHtml(res, 200, await agentsPage(service, session.caller, viewer));
    if (req.method === 'GET' && path === '/teams') return sendHtml(res, 200, await teamsPage(service, session.caller, viewer));
    const ticket = TICKET_PATH.exec(path);
    if (ticket) {
      const [, key, action] = ticket as unknown as [string, string, string | undefined];
      if (post && action && isAction(action)) return act(res, session, viewer, key.toUpperCase(), action, form);
      // A form's address opened again (the address bar after a refusal, say): it changes nothing and leads to the ticket.
      if (!post && action && isAction(action)) return redirect(res, `/tickets/${key.toUpperCase()}`);
      if (!post && !action) {
        try {
          const detail = await loadDetail(service, session.caller, key.toUpperCase());
          // A key the ticket had before it moved team still resolves; the address shown is its current one.
          const current = detail.ticket.ticketIdentifier;
          if (current !== key.toUpperCase()) return redirect(res, `/tickets/${current}${query.size > 0 ? `?${query}` : ''}`);
          return sendHtml(res, 200, detailPage(viewer, detail, query));
        } catch (error) {
          if (error instanceof DomainError && error.code === 'NOT_FOUND') return notFound(res, html`${error.message}`, viewer);
          throw error;
        }
      }
    }
    return notFound(res, NO_PAGE, viewer);
  }

  return {
    handle,
    signInLink: (origin) => `${origin}/signin?token=${oneTimeToken}`,
    close: () => live.close(),
  };
}
