import { LINK_TYPES, linkWords, type LinkType } from '../domain/queue.js';
import type { TicketWithComments } from '../service/views.js';
import { html, type Html } from './html.js';
import { csrfField, statusBadge, type Viewer } from './layout.js';

/** A ticket's links as its own side reads them, each removable, and a form to add one. */

/** "blocked by" back to its type: a link is removed by type, whichever way it runs. */
const TYPE_OF_WORDS = new Map<string, LinkType>(LINK_TYPES.flatMap((type) => [[linkWords(type, 'out'), type], [linkWords(type, 'in'), type]] as const));

export function linksPanel(viewer: Viewer, t: TicketWithComments): Html {
  const key = t.ticketIdentifier;
  const changes = !viewer.readOnly && !t.deletedAt;
  const items = t.links.map(
    (l) => html`<li>${l.link} <a href="/tickets/${l.key}">${l.key}</a> ${l.title} ${statusBadge(l.status)}${l.deleted ? html` <span class="badge muted">deleted</span>` : ''}${
      changes
        ? html`<form method="post" action="/tickets/${key}/unlink" class="inline">${csrfField(viewer)}<input type="hidden" name="related" value="${l.key}"><input type="hidden" name="type" value="${TYPE_OF_WORDS.get(l.link) ?? ''}"><button class="link" aria-label="Remove link ${l.link} ${l.key}">×</button></form>`
        : ''
    }</li>`,
  );
  const add = changes
    ? html`<form method="post" action="/tickets/${key}/link" class="control">${csrfField(viewer)}
<label for="link-type">Link type</label><select id="link-type" name="type">${LINK_TYPES.map((type) => html`<option value="${type}">${linkWords(type, 'out')}</option>`)}</select>
<label for="link-key">Linked ticket</label><input id="link-key" name="related" maxlength="40" placeholder="SUP-12" required><button>Add link</button></form>`
    : '';
  return html`<section class="panel" aria-labelledby="links-h"><h2 id="links-h">Links</h2>
${items.length > 0 ? html`<ul class="links">${items}</ul>` : html`<p class="muted">No links.</p>`}${add}</section>`;
}
