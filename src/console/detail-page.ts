import type { Caller } from '../service/context.js';
import type { AgentChoice, TeamChoice } from '../service/live.js';
import type { TicketService } from '../service/service.js';
import type { TicketEvent, TicketWithComments } from '../service/views.js';
import { PRIORITIES } from '../service/workspace.js';
import { flag, html, type Html } from './html.js';
import { alert, csrfField, day, LIVE_NOTE, page, priorityBadge, statusBadge, when, type Viewer } from './layout.js';
import { linksPanel } from './links-panel.js';
import { timeline } from './timeline.js';

/** The ticket at `/tickets/KEY`: description and activity on the left, its properties and their controls on the right. */

/** A timeline longer than this shows its newest events: a ticket with thousands stays one quick page. */
const MAX_EVENTS = 1_000;

async function allEvents(service: TicketService, caller: Caller, key: string): Promise<TicketEvent[]> {
  const events: TicketEvent[] = [];
  let cursor: string | undefined;
  do {
    const { data } = await service.getTicketHistory(caller, { id: key, pageSize: 100, ...(cursor && { cursor }) });
    events.push(...data.events);
    cursor = data.nextCursor ?? undefined;
  } while (cursor && events.length < MAX_EVENTS);
  return events;
}

function form(viewer: Viewer, t: TicketWithComments, action: string, fields: Html, button: string): Html {
  return html`<form method="post" action="/tickets/${t.ticketIdentifier}/${action}" class="control">
${csrfField(viewer)}<input type="hidden" name="version" value="${t.version}">${fields}<button>${button}</button></form>`;
}

function controls(viewer: Viewer, t: TicketWithComments, agents: AgentChoice[], teams: TeamChoice[], typed: URLSearchParams): Html {
  if (viewer.readOnly) return html``;
  const key = t.ticketIdentifier;
  if (t.deletedAt) return html`<section class="panel" aria-labelledby="actions-${key}"><h2 id="actions-${key}">Change</h2>${form(viewer, t, 'restore', html``, 'Restore')}</section>`;
  const moves = [t.status, ...t.nextStatuses];
  return html`<section class="panel" aria-labelledby="actions-${key}"><h2 id="actions-${key}">Change</h2>
${t.nextStatuses.length > 0
  ? form(viewer, t, 'status', html`<label for="status-select">Status</label><select id="status-select" name="status">${moves.map((s) => html`<option value="${s}"${flag('selected', s === t.status)}>${s}</option>`)}</select>
<label for="status-comment">Status comment</label><textarea id="status-comment" name="comment" rows="2" maxlength="20000" hx-preserve="true">${typed.get('comment') ?? ''}</textarea>`, 'Change status')
  : ''}
${form(viewer, t, 'assign', html`<label for="assignee-select">Assigned to</label><select id="assignee-select" name="assignee"><option value="">Unassigned</option>${agents.map((a) => html`<option value="${a.id}"${flag('selected', a.id === t.assignedAgentId)}>${a.name} &lt;${a.email}&gt;</option>`)}</select>`, 'Assign')}
${t.assignedAgentId === viewer.agentId ? form(viewer, t, 'release', html``, 'Release') : form(viewer, t, 'take', html``, 'Take it')}
${form(viewer, t, 'team', html`<label for="team-select">Team</label><select id="team-select" name="team">${teams.map((team) => html`<option value="${team.id}"${flag('selected', team.id === t.teamId)}>${team.name} (${team.identifier})</option>`)}</select>`, 'Move')}
${form(viewer, t, 'priority', html`<label for="priority-select">Priority</label><select id="priority-select" name="priority">${PRIORITIES.map((p) => html`<option${flag('selected', p === t.priority)}>${p}</option>`)}</select>`, 'Set priority')}
${form(viewer, t, 'due', html`<label>Due date <input type="date" name="due" value="${t.dueDate?.slice(0, 10) ?? ''}"></label>`, 'Set due date')}
${form(viewer, t, 'tag', html`<label>New tag <input name="tag" maxlength="200" required></label>`, 'Add tag')}
<details class="danger"><summary>Delete…</summary>
${form(viewer, t, 'delete', html`<p>Delete ${key}? Agents will no longer see it in lists.</p><label>Reason <input name="reason" maxlength="1000"></label><input type="hidden" name="confirm" value="true">`, 'Confirm delete')}
</details></section>`;
}

function facts(viewer: Viewer, t: TicketWithComments, agents: AgentChoice[], teams: TeamChoice[], typed: URLSearchParams): Html {
  const tagList = t.tags.map(
    (tag) => html`<li><span class="tag">${tag.name}</span>${viewer.readOnly || t.deletedAt ? '' : html`<form method="post" action="/tickets/${t.ticketIdentifier}/untag" class="inline">${csrfField(viewer)}<input type="hidden" name="tag" value="${tag.id}"><button class="link" aria-label="Remove tag ${tag.name}">×</button></form>`}</li>`,
  );
  return html`<div id="facts" hx-get="/tickets/${t.ticketIdentifier}" hx-trigger="sse:t-${t.ticketIdentifier} throttle:500ms" hx-select="#facts" hx-select-oob="${LIVE_NOTE}" hx-swap="outerHTML" hx-disinherit="*">
<header class="ticket-head"><p class="key">${t.ticketIdentifier} · v${t.version}</p><h1>${t.title}</h1>
<p>${statusBadge(t.status)} ${priorityBadge(t.priority)} ${t.deletedAt ? html`<span class="badge muted">deleted</span>` : ''}</p></header>
<dl class="props">
<dt>Status</dt><dd>${t.status}</dd>
<dt>Assigned to</dt><dd>${t.assignedAgent ?? 'Unassigned'}</dd>
<dt>Team</dt><dd>${t.teamName} (${t.teamIdentifier})</dd>
<dt>Requestor</dt><dd>${[t.customerContactFirstName, t.customerContactLastName].filter(Boolean).join(' ')} ${t.requestorEmail ? html`&lt;${t.requestorEmail}&gt;` : ''}</dd>
<dt>Due</dt><dd>${day(t.dueDate)}</dd>
<dt>Tags</dt><dd><ul class="tags">${tagList}</ul></dd>
<dt>Created</dt><dd>${when(t.createdAt)}</dd>
<dt>Updated</dt><dd>${when(t.updatedAt)}</dd>
<dt>Source</dt><dd>${t.source ?? '—'}</dd>
</dl>
${t.deletedAt ? html`<p class="alert">Deleted ${when(t.deletedAt)}; Restore brings it back as it was.</p>` : ''}
${linksPanel(viewer, t)}
${controls(viewer, t, agents, teams, typed)}
</div>`;
}

function comments(viewer: Viewer, t: TicketWithComments, typed: URLSearchParams): Html {
  const composer =
    viewer.readOnly || t.deletedAt || t.status === 'closed'
      ? ''
      : html`<form method="post" action="/tickets/${t.ticketIdentifier}/comment" class="composer">${csrfField(viewer)}
<label for="comment-body">Comment</label><textarea id="comment-body" name="body" rows="4" maxlength="20000" required>${typed.get('body') ?? ''}</textarea>
<label class="check"><input type="checkbox" name="internal" value="true"${flag('checked', typed.get('internal') === 'true')}> Internal note</label>
<button>Add comment</button></form>`;
  return html`<section aria-labelledby="comments-h"><h2 id="comments-h">Comments <span class="count">${t.commentCount}</span></h2>
<ol class="comments" id="comments" hx-get="/tickets/${t.ticketIdentifier}" hx-trigger="sse:t-${t.ticketIdentifier} throttle:500ms" hx-select="#comments" hx-swap="outerHTML" hx-disinherit="*">
${t.comments.map(
  (c) => html`<li class="${c.internal ? 'comment internal' : 'comment'}"><div class="meta"><strong>${c.author}</strong> ${when(c.createdAt)}${c.internal ? html` <span class="badge internal">Internal note</span>` : ''}</div><p>${c.body}</p></li>`,
)}
</ol>${t.commentsHint ? html`<p class="muted">${t.commentsHint}</p>` : ''}
${composer}</section>`;
}

export interface Detail {
  ticket: TicketWithComments;
  events: TicketEvent[];
  agents: AgentChoice[];
  teams: TeamChoice[];
}

/** Everything the page shows; `ticket.ticketIdentifier` differs from `key` when `key` is one it had before a move. */
export async function loadDetail(service: TicketService, caller: Caller, key: string): Promise<Detail> {
  const [{ data: ticket }, events, agents, teams] = await Promise.all([
    service.getTicket(caller, { id: key }),
    allEvents(service, caller, key),
    service.agentChoices(caller),
    service.teamChoices(caller),
  ]);
  return { ticket, events, agents, teams };
}

/** `typed`: the refused form's fields, so the comments a person wrote are there for the next try. */
export function detailPage(viewer: Viewer, { ticket: t, events, agents, teams }: Detail, query: URLSearchParams, refusal?: string, typed = new URLSearchParams()): Html {
  const newestFirst = query.get('order') !== 'oldest';
  const body = html`<p class="crumbs"><a href="/">Tickets</a> / ${t.ticketIdentifier}</p>
${alert(refusal)}
<div class="detail-layout">
<div class="main-col">
<section aria-label="Description" class="description"><h2>Description</h2><p>${t.description ?? html`<span class="muted">No description.</span>`}</p></section>
${comments(viewer, t, typed)}
<section aria-labelledby="history-h"><h2 id="history-h">History</h2>
<p class="order">Order: <a href="/tickets/${t.ticketIdentifier}?order=newest"${flag('aria-current="true"', newestFirst)}>Newest first</a> · <a href="/tickets/${t.ticketIdentifier}?order=oldest"${flag('aria-current="true"', !newestFirst)}>Oldest first</a></p>
<div id="history" hx-get="/tickets/${t.ticketIdentifier}?order=${newestFirst ? 'newest' : 'oldest'}" hx-trigger="sse:t-${t.ticketIdentifier} throttle:500ms" hx-select="#history" hx-swap="outerHTML" hx-disinherit="*">${timeline(events, newestFirst)}</div>
</section>
</div>
<aside class="side-col">${facts(viewer, t, agents, teams, typed)}</aside>
</div>`;
  return page(`${t.ticketIdentifier} ${t.title}`, body, viewer);
}
