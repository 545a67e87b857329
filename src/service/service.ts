import { openDatabase, type OpenDatabase, type OpenOptions } from '../db/open.js';
import type { Caller } from './context.js';
import * as directory from './directory.js';
import * as reads from './reads.js';
import { Lookups, type ServiceDeps } from './store.js';
import * as tickets from './tickets.js';

type Operation<I, O> = (deps: ServiceDeps, caller: Caller, input: I) => Promise<O>;

/**
 * The ticket service: every operation of the helpdesk, each one transaction that
 * writes the change with its events. It knows nothing of MCP; the tools call it.
 */
export class TicketService {
  readonly #deps: ServiceDeps;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(readonly database: OpenDatabase) {
    this.#deps = { db: database.db, reader: database.reader, lookups: new Lookups() };
  }

  static open(path: string, options?: OpenOptions): TicketService {
    return new TicketService(openDatabase(path, options));
  }

  /** The write handle (and what writeTransaction takes). */
  get db() {
    return this.#deps.db;
  }

  /** The read handle: reads outside a write go here, so a write under way never delays them. */
  get reader() {
    return this.#deps.reader;
  }

  /** Whether a write would be taken now: false when the database is read-only or its file was removed. */
  get writable(): boolean {
    return this.database.writeRefusal() === undefined;
  }

  #run<I, O>(operation: Operation<I, O>) {
    return (caller: Caller, input: I): Promise<O> => {
      const call = operation(this.#deps, caller, input);
      this.#inFlight.add(call);
      const forget = () => this.#inFlight.delete(call);
      call.then(forget, forget);
      return call;
    };
  }

  readonly createTicket = this.#run(tickets.createTicket);
  readonly assignTicket = this.#run(tickets.assignTicket);
  readonly takeover = this.#run(tickets.takeover);
  readonly completeTicket = this.#run(tickets.completeTicket);
  readonly setTicketStatus = this.#run(tickets.setTicketStatus);
  readonly updateTicket = this.#run(tickets.updateTicket);
  readonly deleteTicket = this.#run(tickets.deleteTicket);
  readonly addComment = this.#run(tickets.addComment);
  readonly addTag = this.#run(tickets.addTag);
  readonly removeTag = this.#run(tickets.removeTag);
  readonly getTicket = this.#run(reads.getTicket);
  readonly listTickets = this.#run(reads.listTickets);
  readonly getTicketHistory = this.#run(reads.getTicketHistory);
  readonly completeTicketKeys = this.#run(reads.completeTicketKeys);
  readonly completeTeams = this.#run(reads.completeTeams);
  readonly createAgent = this.#run(directory.createAgent);
  readonly updateAgent = this.#run(directory.updateAgent);
  readonly listAgents = this.#run(directory.listAgents);
  readonly createTeam = this.#run(directory.createTeam);
  readonly listTeams = this.#run(directory.listTeams);
  readonly createTag = this.#run(directory.createTag);
  readonly updateTag = this.#run(directory.updateTag);
  readonly listTags = this.#run(directory.listTags);

  /** Resolves once no call is under way (calls that start meanwhile are waited for too). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Lets the calls under way finish, then closes the database. */
  async close(): Promise<void> {
    await this.idle();
    await this.database.close();
  }
}
