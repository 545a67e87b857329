import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DomainError } from './errors.js';
import type { Logger } from './log.js';
import type { Caller } from './service/context.js';
import type { TicketService } from './service/service.js';
import { inline, renderTicket, untrusted } from './ticket-text.js';

/** MCP's code for a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;
const HISTORY_SHOWN = 100;

export const ticketUri = (key: string) => `ticket://${key}`;

/** The link create_ticket and get_ticket put next to their envelope. */
export const ticketLink = (ticket: { ticketIdentifier: string; title: string }): ResourceLink => ({
  type: 'resource_link',
  uri: ticketUri(ticket.ticketIdentifier),
  name: ticket.ticketIdentifier,
  title: `${ticket.ticketIdentifier}: ${ticket.title}`,
  mimeType: 'text/markdown',
});

async function readTicketText(service: TicketService, caller: Caller, key: string): Promise<string> {
  const ticket = (await service.getTicket(caller, { id: key })).data;
  const history = (await service.getTicketHistory(caller, { id: ticket.id, pageSize: HISTORY_SHOWN })).data.events;
  return renderTicket(ticket, history);
}

/** A missing ticket is a missing resource; a prompt's bad argument, or any other refusal, is invalid params. */
function asResourceError(error: unknown, uri: string): never {
  if (error instanceof DomainError && error.code === 'NOT_FOUND') throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
  throw asPromptError(error);
}

function asPromptError(error: unknown): Error {
  return error instanceof DomainError ? new McpError(ErrorCode.InvalidParams, error.message) : (error as Error);
}

/** One log line per read, like a tool call's: what, who, how long, how it ended; never the text. */
async function logged<T>(log: Logger, caller: Caller, what: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = 'OK';
  try {
    return await work();
  } catch (error) {
    outcome = error instanceof McpError ? String(error.code) : 'INTERNAL';
    throw error;
  } finally {
    log.info('read', { ...what, actor: caller.agentId, workspace: caller.workspaceId, ms: Math.round((performance.now() - started) * 1000) / 1000, outcome });
  }
}

/**
 * The ticket resource template and the two prompts. Their arguments complete from
 * the caller's own workspace: ticket keys and team identifiers.
 */
export function registerResourcesAndPrompts(mcp: McpServer, service: TicketService, caller: Caller, log: Logger, readOnly: boolean): void {
  mcp.registerResource(
    'ticket',
    new ResourceTemplate('ticket://{key}', {
      list: undefined,
      complete: { key: (typed) => service.completeTicketKeys(caller, typed) },
    }),
    {
      title: 'Ticket',
      description: 'A ticket with its comments and history, as readable text. key: a ticket key such as SUP-42.',
      mimeType: 'text/markdown',
    },
    (uri, { key }) =>
      logged(log, caller, { resource: 'ticket' }, async () => {
        try {
          const text = await readTicketText(service, caller, String(key));
          return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
        } catch (error) {
          return asResourceError(error, uri.href);
        }
      }),
  );

  // Triage changes tickets; a read-only connection is not offered it.
  if (!readOnly) registerTriagePrompt(mcp, service, caller, log);
  registerQueuePrompt(mcp, service, caller, log);
}

async function triageMessages(service: TicketService, caller: Caller, id: string) {
  const text = await readTicketText(service, caller, id);
  return {
    description: `Triage ${id}`,
    messages: [
      {
        role: 'user' as const,
        content: {
          type: 'text' as const,
          text: [
            `Triage this ticket. Decide:`,
            `1. its priority (Low, Medium, High, Urgent) and whether the title says what is wrong;`,
            `2. one to three tags (list_tags shows the existing ones; reuse them);`,
            `3. the team and the person to own it (list_agents shows load), or take it over yourself.`,
            `Apply your decisions with update_ticket, add_tag and assign_ticket or takeover, then add an internal comment (add_comment) explaining them.`,
            '',
            untrusted('The ticket', text),
          ].join('\n'),
        },
      },
    ],
  };
}

async function queueMessages(service: TicketService, caller: Caller, team: string) {
  const page = await service.listTickets(caller, { team, status: ['open', 'pending'], sort: 'created', pageSize: 100 });
  const rows = page.data.tickets.map(
    (r) => `- ${r.key} [${r.status}, ${inline(r.priority)}] ${inline(r.title)} (${r.assignee === null ? 'unassigned' : inline(r.assignee)}${r.dueDate ? `, due ${r.dueDate}` : ''}; updated ${r.updatedAt})`,
  );
  return {
    description: `The ${team} queue`,
    messages: [
      {
        role: 'user' as const,
        content: {
          type: 'text' as const,
          text: [
            `Summarize the ${team} queue below in a few lines: the tickets to handle first (urgent, overdue, waiting longest), unassigned work, and anyone holding too much. Refer to tickets by key.`,
            '',
            untrusted(
              `The list of ${rows.length} open or pending ticket${rows.length === 1 ? '' : 's'}${page.data.nextCursor ? ' (the oldest 100 shown)' : ''}`,
              rows.join('\n'),
            ),
          ].join('\n'),
        },
      },
    ],
  };
}

function registerTriagePrompt(mcp: McpServer, service: TicketService, caller: Caller, log: Logger): void {
  mcp.registerPrompt(
    'triage_ticket',
    {
      title: 'Triage a ticket',
      description: 'Read a ticket and decide its priority, tags, team and owner, then apply them with the tools.',
      argsSchema: {
        id: completable(z.string().describe('The ticket key, e.g. SUP-42'), (typed) => service.completeTicketKeys(caller, typed)),
      },
    },
    ({ id }) =>
      logged(log, caller, { prompt: 'triage_ticket' }, () =>
        triageMessages(service, caller, id).catch((error: unknown) => asResourceError(error, ticketUri(id))),
      ),
  );
}

function registerQueuePrompt(mcp: McpServer, service: TicketService, caller: Caller, log: Logger): void {
  mcp.registerPrompt(
    'queue_summary',
    {
      title: 'Summarize a team queue',
      description: "Summarize a team's open and pending tickets: what needs attention first, and who is overloaded.",
      argsSchema: {
        team: completable(z.string().describe('The team identifier, e.g. SUP'), (typed) => service.completeTeams(caller, typed)),
      },
    },
    ({ team }) =>
      logged(log, caller, { prompt: 'queue_summary' }, () =>
        queueMessages(service, caller, team).catch((error: unknown) => {
          throw asPromptError(error);
        }),
      ),
  );
}
