import { listTickets as listTool } from '../../tools/list_tickets.js';
import { STATUS_NAMES } from '../domain/lifecycle.js';
import { DomainError } from '../errors.js';
import type { Caller } from '../service/context.js';
import { TICKET_SORTS } from '../service/list.js';
import type { QueueCounts } from '../service/live.js';
import type { TicketService } from '../service/service.js';
import { PRIORITIES } from '../service/workspace.js';
import { parseArguments } from '../validation.js';
import { flag, html, type Html } from './html.js';
import { alert, day, LIVE_NOTE, page, priorityBadge, statusBadge, when, type Viewer } from './layout.js';

/**
 * The ticket list at `/`: queues with counts, filters in the URL, a real table, cursor pages.
 * A change seen on the live stream fetches the page again and swaps in the list and the queues.
 */

const LIVE = 'open,pending';
const SORT_LABELS: Record<string, string> = { updated: 'Recently updated', created: 'Oldest first', newest: 'Newest first', priority: 'Priority', due: 'Due date' };

/** The URL's filters as list_tickets arguments, checked by that tool's own schema. */
function listArguments(query: URLSearchParams): Record<string, unknown> {
  const text = (name: string) => query.get(name)?.trim() || undefined;
  const statuses = text('status')?.split(',').filter(Boolean);
  const args: Record<string, unknown> = {
    status: statuses && (statuses.length === 1 ? statuses[0] : statuses),
    assignee: text('assignee'),
    team: text('team'),
    tag: text('tag'),
    priority: text('priority'),
    search: text('q'),
    sort: text('sort'),
    cursor: text('cursor'),
    overdue: query.get('overdue') === '1' ? true : undefined,
    pageSize: 25,
  };
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

const href = (params: Record<string, string>) => `/?${new URLSearchParams(params)}`;

export async function listPage(service: TicketService, caller: Caller, viewer: Viewer, query: URLSearchParams, counts: QueueCounts): Promise<Html> {
  const [teams, agents] = await Promise.all([service.teamChoices(caller), service.agentChoices(caller)]);
  let rows: Html;
  let refusal: string | undefined;
  let next: string | null = null;
  try {
    const result = await service.listTickets(caller, parseArguments('list_tickets', listTool.input, listArguments(query)));
    next = result.data.nextCursor;
    rows = html`${result.data.tickets.map(
      (t) => html`<tr>
<td class="key">${t.key}</td>
<td class="title"><a href="/tickets/${t.key}">${t.title}</a>${t.deleted ? html` <span class="badge muted">deleted</span>` : ''}</td>
<td>${statusBadge(t.status)}</td><td>${priorityBadge(t.priority)}</td>
<td>${t.assignee ?? html`<span class="muted">Unassigned</span>`}</td><td>${t.team}</td>
<td>${t.tags.map((tag) => html`<span class="tag">${tag}</span> `)}</td>
<td>${day(t.dueDate)}</td><td>${when(t.createdAt)}</td><td>${when(t.updatedAt)}</td>
</tr>`,
    )}`;
    if (result.data.tickets.length === 0) rows = html`<tr><td colspan="10" class="empty">No tickets match these filters.</td></tr>`;
  } catch (error) {
    // A filter the tool refuses shows its message; anything else is the server's fault, not the URL's.
    if (!(error instanceof DomainError)) throw error;
    refusal = error.message;
    rows = html``;
  }
  const current = Object.fromEntries([...query].filter(([k]) => k !== 'cursor'));
  const queue = (label: string, params: Record<string, string>, count: number) => {
    const active = JSON.stringify(params) === JSON.stringify(Object.fromEntries(Object.entries(current).filter(([k]) => k !== 'sort')));
    return html`<li><a href="${href(params)}"${flag('aria-current="page"', active)}>${label}<span class="count">${count}</span></a></li>`;
  };
  const teamName = new Map(teams.map((t) => [t.id, t.identifier]));
  const option = (value: string, label: string, chosen: string | null) => html`<option value="${value}"${flag('selected', value === (chosen ?? ''))}>${label}</option>`;
  const body = html`<div class="list-layout">
<aside class="queues" id="queues" aria-label="Queues"><h2>Queues</h2><ul>
${queue('Unassigned', { status: LIVE, assignee: 'none' }, counts.unassigned)}
${queue('Mine', { status: LIVE, assignee: 'me' }, counts.mine)}
${queue('Open', { status: 'open' }, counts.open)}
${queue('Pending', { status: 'pending' }, counts.pending)}
${queue('Overdue', { overdue: '1' }, counts.overdue)}
</ul><h2>Teams</h2><ul>
${[...teamName].map(([id, identifier]) => queue(identifier, { status: LIVE, team: identifier }, counts.teams.get(id) ?? 0))}
</ul></aside>
<section class="tickets" id="list" hx-get="${`/?${query}`}" hx-trigger="sse:tickets throttle:1s" hx-select="#list" hx-select-oob="#queues,${LIVE_NOTE}" hx-swap="outerHTML" hx-disinherit="*">
<form class="filters" method="get" action="/" role="search">
<div class="fld"><label for="f-status">Status</label><select id="f-status" name="status">${option('', 'Any', query.get('status'))}${option(LIVE, 'Open or pending', query.get('status'))}${STATUS_NAMES.map((s) => option(s, s, query.get('status')))}</select></div>
<div class="fld"><label for="f-assignee">Assignee</label><select id="f-assignee" name="assignee">${option('', 'Anyone', query.get('assignee'))}${option('none', 'Unassigned', query.get('assignee'))}${option('me', 'Me', query.get('assignee'))}${agents.map((a) => option(a.email, a.name, query.get('assignee')))}</select></div>
<div class="fld"><label for="f-team">Team</label><select id="f-team" name="team">${option('', 'Any', query.get('team'))}${teams.map((t) => option(t.identifier, t.name, query.get('team')))}</select></div>
<label>Tag <input name="tag" value="${query.get('tag') ?? ''}" maxlength="200"></label>
<div class="fld"><label for="f-priority">Priority</label><select id="f-priority" name="priority">${option('', 'Any', query.get('priority'))}${PRIORITIES.map((p) => option(p, p, query.get('priority')))}</select></div>
<label>Search <input type="search" name="q" value="${query.get('q') ?? ''}" maxlength="200"></label>
<div class="fld"><label for="f-sort">Sort</label><select id="f-sort" name="sort">${option('', 'Default', query.get('sort'))}${TICKET_SORTS.map((s) => option(s, SORT_LABELS[s] ?? s, query.get('sort')))}</select></div>
${query.get('overdue') === '1' ? html`<input type="hidden" name="overdue" value="1">` : ''}
<button>Apply</button> <a href="/">Clear</a>
</form>
${alert(refusal)}
<div class="table-wrap"><table>
<thead><tr><th scope="col">Key</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Priority</th><th scope="col">Assigned to</th><th scope="col">Team</th><th scope="col">Tags</th><th scope="col">Due</th><th scope="col">Created</th><th scope="col">Updated</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
<nav class="pages" aria-label="Pages">${query.get('cursor') ? html`<a href="${href(current)}">First page</a>` : ''}${next ? html`<a href="${href({ ...current, cursor: next })}">Next page</a>` : ''}</nav>
</section>
</div>`;
  return page('Tickets', body, viewer);
}
