import type { Caller } from '../service/context.js';
import type { TicketService } from '../service/service.js';
import { html, type Html } from './html.js';
import { page, type Viewer } from './layout.js';

/** The agents and teams pages: who is active, in which teams, and how many open and pending tickets each holds. */

export async function agentsPage(service: TicketService, caller: Caller, viewer: Viewer): Promise<Html> {
  const { data } = await service.listAgents(caller, { pageSize: 100, includeInactive: true });
  const body = html`<h1>Agents</h1><div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Kind</th><th scope="col">Teams</th><th scope="col">Open</th><th scope="col">Pending</th><th scope="col">Active</th></tr></thead>
<tbody>${data.agents.map(
    (a) => html`<tr${a.active ? '' : html` class="inactive"`}><td><a href="/?${String(new URLSearchParams({ status: 'open,pending', assignee: a.email }))}">${a.name}</a></td><td>${a.email}</td><td>${a.kind === 'ai' ? 'AI agent' : 'Person'}</td><td>${a.teams.join(', ')}</td><td class="num">${a.openTickets}</td><td class="num">${a.pendingTickets}</td><td>${a.active ? 'Active' : html`<span class="badge muted">Inactive</span>`}</td></tr>`,
  )}</tbody></table></div>`;
  return page('Agents', body, viewer);
}

export async function teamsPage(service: TicketService, caller: Caller, viewer: Viewer): Promise<Html> {
  const { data } = await service.listTeams(caller, { pageSize: 100 });
  const body = html`<h1>Teams</h1><div class="table-wrap"><table>
<thead><tr><th scope="col">Team</th><th scope="col">Key</th><th scope="col">Members</th><th scope="col">Open</th><th scope="col">Pending</th></tr></thead>
<tbody>${data.teams.map(
    (t) => html`<tr><td><a href="/?${String(new URLSearchParams({ status: 'open,pending', team: t.identifier }))}">${t.name}</a></td><td>${t.identifier}</td><td>${t.members.join(', ')}</td><td class="num">${t.openTickets}</td><td class="num">${t.pendingTickets}</td></tr>`,
  )}</tbody></table></div>`;
  return page('Teams', body, viewer);
}
