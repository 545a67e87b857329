import type { TicketEvent } from '../service/views.js';
import { html, type Html } from './html.js';
import { when } from './layout.js';

/** The event timeline of a ticket: who, when, and what changed, from → to. */

const LABELS: Record<string, string> = {
  created: 'created the ticket',
  status_changed: 'changed the status',
  assignment_changed: 'changed the assignee',
  comment_added: 'commented',
  tag_added: 'added a tag',
  tag_removed: 'removed a tag',
  metadata_updated: 'updated fields',
  deleted: 'deleted the ticket',
  restored: 'restored the ticket',
  team_changed: 'moved the ticket',
  lease_expired: 'let the lease lapse',
  linked: 'linked a ticket',
  unlinked: 'unlinked a ticket',
};

/** A value of an event's details as one short line of text. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value !== 'object') return String(value);
  const named = value as { name?: unknown; identifier?: unknown; email?: unknown };
  if (typeof named.name === 'string') return named.name;
  if (typeof named.identifier === 'string') return named.identifier;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function change(name: string, value: unknown): Html {
  const pair = value as { from?: unknown; to?: unknown } | null;
  if (pair && typeof pair === 'object' && 'from' in pair && 'to' in pair) {
    return html`<li><span class="field">${name}</span> ${shown(pair.from)} → ${shown(pair.to)}</li>`;
  }
  return html`<li><span class="field">${name}</span> ${shown(value)}</li>`;
}

function details(event: TicketEvent): Html {
  const { from, to, body, internal, commentId: _id, ...rest } = event.details as Record<string, unknown>;
  const parts: Html[] = [];
  if (from !== undefined || to !== undefined) parts.push(html`<li>${shown(from)} → ${shown(to)}</li>`);
  if (typeof body === 'string') parts.push(html`<li class="${internal ? 'internal' : ''}">${internal ? 'Internal note: ' : ''}${body.length > 300 ? `${body.slice(0, 299)}…` : body}</li>`);
  // Ids (tagId, fromTeamId, …) sit beside the names a person reads: they are left out.
  for (const [name, value] of Object.entries(rest)) if (!name.endsWith('Id')) parts.push(change(name, value));
  return parts.length > 0 ? html`<ul class="changes">${parts}</ul>` : html``;
}

export function timeline(events: TicketEvent[], newestFirst: boolean): Html {
  const ordered = newestFirst ? [...events].reverse() : events;
  return html`<ol class="timeline">${ordered.map(
    (e) => html`<li class="event event-${e.type}"><div><strong>${e.actor}</strong> ${LABELS[e.type] ?? e.type} ${when(e.at)} <span class="muted">v${e.version}</span></div>${details(e)}</li>`,
  )}</ol>`;
}
