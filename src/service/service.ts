import type { Engine } from '../db/engine.js';
import * as agents from './agents.js';
import * as assignment from './assignment.js';
import * as bulk from './bulk-changes.js';
import * as comments from './comments.js';
import type { Caller } from './context.js';
import * as create from './create.js';
import type { Operation, ServiceDeps } from './deps.js';
import * as edits from './edits.js';
import * as keys from './keys.js';
import * as consoleSessions from './console-sessions.js';
import * as links from './links.js';
import * as list from './list.js';
import * as live from './live.js';
import { Lookups } from './lookups.js';
import * as queue from './queue.js';
import * as reads from './reads.js';
import * as status from './status.js';
import * as tagDirectory from './tag-directory.js';
import * as tags from './tags.js';
import * as teams from './teams.js';
import * as workspaces from './workspace.js';

/**
 * The ticket service: every operation of the helpdesk, each one transaction that
 * writes the change with its events. It knows nothing of MCP, nor which engine it
 * runs on; the tools, the HTTP edge and the commands all come through this door.
 */
export class TicketService<E extends Engine = Engine> {
  readonly #deps: ServiceDeps;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(readonly engine: E) {
    this.#deps = { engine, lookups: new Lookups() };
  }

  /** Whether a write would be taken now: false when the database is read-only or its file was removed. */
  get writable(): boolean {
    return this.engine.writeRefusal() === undefined;
  }

  get schemaVersion(): number {
    return this.engine.schemaVersion;
  }

  /** Why a write would be refused now, or undefined. */
  writeRefusal() {
    return this.engine.writeRefusal();
  }

  #run<I, O>(operation: Operation<I, O>) {
    return (caller: Caller, input: I): Promise<O> => this.#track(operation(this.#deps, caller, input));
  }

  #track<T>(call: Promise<T>): Promise<T> {
    this.#inFlight.add(call);
    const forget = () => this.#inFlight.delete(call);
    call.then(forget, forget);
    return call;
  }

  readonly createTicket = this.#run(create.createTicket);
  readonly assignTicket = this.#run(assignment.assignTicket);
  readonly takeover = this.#run(assignment.takeover);
  readonly claimNextTicket = this.#run(queue.claimNextTicket);
  readonly releaseTicket = this.#run(queue.releaseTicket);
  readonly linkTickets = this.#run(links.linkTickets);
  readonly unlinkTickets = this.#run(links.unlinkTickets);
  readonly completeTicket = this.#run(status.completeTicket);
  readonly setTicketStatus = this.#run(status.setTicketStatus);
  readonly updateTicket = this.#run(edits.updateTicket);
  readonly deleteTicket = this.#run(status.deleteTicket);
  readonly restoreTicket = this.#run(status.restoreTicket);
  /** The bulk forms: each ticket its own change, every ticket's outcome in data.results (bulk.ts). */
  readonly assignTickets = this.#run(bulk.assignTickets);
  readonly setTicketsStatus = this.#run(bulk.setTicketsStatus);
  readonly deleteTickets = this.#run(bulk.deleteTickets);
  readonly addTagToTickets = this.#run(bulk.addTagToTickets);
  readonly removeTagFromTickets = this.#run(bulk.removeTagFromTickets);
  readonly addComment = this.#run(comments.addComment);
  readonly addTag = this.#run(tags.addTag);
  readonly removeTag = this.#run(tags.removeTag);
  readonly getTicket = this.#run(reads.getTicket);
  readonly listTickets = this.#run(list.listTickets);
  readonly getTicketHistory = this.#run(reads.getTicketHistory);
  readonly completeTicketKeys = this.#run(reads.completeTicketKeys);
  readonly completeTeams = this.#run(reads.completeTeams);
  readonly createAgent = this.#run(agents.createAgent);
  readonly updateAgent = this.#run(agents.updateAgent);
  readonly listAgents = this.#run(agents.listAgents);
  readonly createTeam = this.#run(teams.createTeam);
  readonly listTeams = this.#run(teams.listTeams);
  readonly createTag = this.#run(tagDirectory.createTag);
  readonly updateTag = this.#run(tagDirectory.updateTag);
  readonly listTags = this.#run(tagDirectory.listTags);
  readonly eventsSince = this.#run(live.eventsSince);
  readonly latestSeq = (caller: Caller) => this.#track(live.latestSeq(this.#deps, caller));
  readonly queueCounts = (caller: Caller) => this.#track(live.queueCounts(this.#deps, caller));
  readonly teamChoices = (caller: Caller) => this.#track(live.teamChoices(this.#deps, caller));
  readonly agentChoices = (caller: Caller) => this.#track(live.agentChoices(this.#deps, caller));

  /** The workspace's id, created and seeded on first use. */
  ensureWorkspace = (name?: string) => this.#track(workspaces.ensureWorkspace(this.engine, name));
  createWorkspace = (name: string) => this.#track(workspaces.createWorkspace(this.engine, name));
  findWorkspace = (name: string) => this.#track(workspaces.findWorkspace(this.engine.reader, name));
  listWorkspaces = () => this.#track(workspaces.listWorkspaces(this.engine));
  /** The agent a session acts as (see workspace.ts): resolveActor creates an unknown email's agent, findActor does not. */
  resolveActor = (workspaceId: string, ref: string | undefined) => this.#track(workspaces.resolveActor(this.engine, workspaceId, ref));
  findActor = (workspaceId: string, ref: string | undefined) => this.#track(workspaces.findActor(this.engine.reader, workspaceId, ref));

  createApiKey = (options: { workspace: string; actor: string; readOnly: boolean }) => this.#track(keys.createApiKey(this.engine, options));
  listApiKeys = () => this.#track(keys.listApiKeys(this.engine));
  revokeApiKey = (ref: string) => this.#track(keys.revokeApiKey(this.engine, ref));
  authenticate = (key: string) => this.#track(keys.authenticate(this.engine, key));

  /** Web console sessions (console-sessions.ts). */
  createSession = (grant: consoleSessions.SessionGrant) => this.#track(consoleSessions.createSession(this.engine, grant));
  findSession = (token: string) => this.#track(consoleSessions.findSession(this.engine, token));
  endSession = (token: string) => this.#track(consoleSessions.endSession(this.engine, token));

  /** Resolves once no call is under way (calls that start meanwhile are waited for too). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Lets the calls under way finish, then closes the database. */
  async close(): Promise<void> {
    await this.idle();
    await this.engine.close();
  }
}
