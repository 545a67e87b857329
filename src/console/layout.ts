import { html, type Html } from './html.js';

/** The page shell, shared navigation, and the small pieces every page uses (badges, dates). */

export interface Viewer {
  /** The signed-in person's agent id: Release is offered on the tickets they hold. */
  agentId: string;
  actorName: string;
  workspace: string;
  readOnly: boolean;
  csrf: string;
  /** The workspace's newest event seq when the page was made: the live stream continues from it. */
  seq: number;
  /** What the person's last change did, in the tool's words: shown once, on the page it led to. */
  notice?: string;
}

/**
 * htmx's settings: no eval, no injected indicator style (the CSP forbids both). Refusals are
 * swapped in so they show: a tool's (422), an ended session's sign-in page (401), a stale
 * form's or a read-only console's (403), a ticket that is gone (404); without them a button did nothing.
 */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  includeIndicatorStyles: false,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '40[134]', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

export function page(title: string, body: Html, viewer?: Viewer): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · ticket-mcp</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/sse.min.js" defer></script>
</head>
<body${viewer ? html` hx-boost="true" hx-ext="sse" sse-connect="/live?since=${viewer.seq}"` : ''}>
<a class="skip" href="#main">Skip to the content</a>
${viewer ? nav(viewer) : ''}
${viewer ? liveNote() : ''}
<main id="main" tabindex="-1">${viewer?.notice ? html`<p class="notice" role="status">${viewer.notice}</p>` : ''}${body}</main>
</body>
</html>`;
}

/**
 * The live region screen readers announce: a part of the page that follows live changes takes
 * this note's new text with it (`hx-select-oob` = LIVE_NOTE), so a change is heard, not only seen.
 */
const liveNote = () => html`<p id="live-note" class="sr-only" role="status">Up to date as of ${new Date().toISOString().slice(11, 19)} UTC.</p>`;
export const LIVE_NOTE = '#live-note:innerHTML';

function nav(viewer: Viewer): Html {
  return html`<header class="top">
<a class="brand" href="/">ticket-mcp</a>
<nav aria-label="Sections"><a href="/">Tickets</a><a href="/agents">Agents</a><a href="/teams">Teams</a></nav>
<div class="who"><span>${viewer.actorName} · ${viewer.workspace}${viewer.readOnly ? html` <span class="badge muted">read-only</span>` : ''}</span>
<form method="post" action="/signout"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button class="link">Sign out</button></form></div>
</header>`;
}

export const csrfField = (viewer: Viewer) => html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;

export const statusBadge = (status: string) => html`<span class="badge status-${status}">${status}</span>`;
export const priorityBadge = (priority: string) => html`<span class="badge priority-${priority.toLowerCase()}">${priority}</span>`;

/** An instant as a short UTC date and time, with the exact value for machines. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')}</time>`;
}

export const day = (iso: string | null | undefined) => (iso ? html`<time datetime="${iso}">${iso.slice(0, 10)}</time>` : html`<span class="muted">—</span>`);

export function alert(message: string | undefined): Html {
  return message ? html`<div class="alert" role="alert">${message}</div>` : html``;
}
