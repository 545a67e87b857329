import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool as ListedTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { answerTooLarge, MAX_ANSWER_BYTES, type CallGate } from './answer-limits.js';
import { isShown, type Surface, type Tool, type Toolset } from '../tools/tool.js';
import type { DomainError } from './errors.js';
import { envelopeForError, envelopeSchema, failed, succeeded, type Envelope } from './envelope.js';
import { isJsonObject, toToolJsonSchema } from './json-schema.js';
import type { Logger } from './log.js';
import { packageVersion } from './package-root.js';
import { registerResourcesAndPrompts } from './resources.js';
import type { Caller } from './service/context.js';
import type { TicketService } from './service/service.js';
import { parseArguments } from './validation.js';

export const SERVER_INSTRUCTIONS = `ticket-mcp is a helpdesk: tickets with a lifecycle, owners, tags, comments and a full history.
- Refer to tickets by key (SUP-42) or id; agents by id, email or exact name; teams by id, identifier (SUP) or name; tags by id or name.
- Lifecycle: open → pending → resolved → closed; pending or resolved can be reopened; closed is final.
- To start work on a ticket yourself, use takeover: it fails with CONFLICT if another agent holds the ticket. To hand a ticket to someone else, use assign_ticket. Finish with complete_ticket.
- Every answer is {data, status, message, timestamp}. When status is false, read error.code and error.hint, fix the call and retry.
- A call with ids (several tickets) changes each on its own; status is true once all were tried: data.results and the message name any that failed.`;

export interface ServerOptions {
  /** Who every call acts as, and in which workspace. */
  caller: Caller;
  log: Logger;
  /** The tools shown: all of them unless trimmed. */
  surface?: Surface;
  /** Admits calls and their answers: over HTTP, the key's calls in flight and the request's answer budget. */
  gate?: CallGate;
}

/**
 * tools/call, parsed loosely. With the SDK's strict schema here, a request whose
 * `arguments` is not an object fails that parse and is answered -32603 (internal
 * error); parsed loosely, the handler checks it and answers -32602 (invalid params),
 * the code that tells the client the request was at fault.
 */
const ToolCallRequest = z.object({
  method: z.literal('tools/call'),
  params: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

/** A tool as tools/list shows it, with what trimming needs to know. */
export interface ListedToolEntry {
  listed: ListedTool;
  toolset: Toolset;
}

/**
 * In the bundled bin, tools/list is computed at build time (scripts/bundle.ts):
 * converting every tool's zod schemas to JSON Schema would cost ~25 ms of start-up,
 * and even building them ~5 ms, so a session loads the tools only at its first call.
 */
declare const BUNDLED_TOOLS: readonly ListedToolEntry[] | undefined;

const registry = () => import('../tools/index.js');

function describeTool(tool: Tool): ListedToolEntry {
  return {
    listed: {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toToolJsonSchema(tool.input, 'input') as ListedTool['inputSchema'],
      outputSchema: toToolJsonSchema(envelopeSchema(tool.output), 'output') as ListedTool['outputSchema'],
      annotations: { ...tool.annotations },
    },
    toolset: tool.toolset,
  };
}

let described: Promise<readonly ListedToolEntry[]> | undefined;

/**
 * Every tool as tools/list shows it, with its toolset: described once per process
 * (HTTP builds a server per request), and what the build bakes into the bundle.
 */
export const describedTools = () =>
  (described ??= typeof BUNDLED_TOOLS === 'undefined' ? registry().then((m) => m.tools.map(describeTool)) : Promise.resolve(BUNDLED_TOOLS));

/** What tools/list answers for a surface. */
export async function toolListing(surface: Surface = {}): Promise<{ tools: ListedTool[] }> {
  const entries = await describedTools();
  return {
    tools: entries
      .filter((e) => isShown(surface, { toolset: e.toolset, readOnly: e.listed.annotations?.readOnlyHint === true }))
      .map((e) => e.listed),
  };
}

function asResult(envelope: Envelope<unknown>, text: string, tool?: Tool): CallToolResult {
  const content: CallToolResult['content'] = [{ type: 'text', text }];
  if (envelope.status && tool?.link) content.push(tool.link(envelope.data));
  return { content, structuredContent: envelope as unknown as Record<string, unknown>, isError: !envelope.status };
}

/** Why an answer of this size may not go out, if it may not: over MAX_ANSWER_BYTES, or past the gate's budget. */
function withholding(tool: Tool, envelope: Envelope<unknown>, bytes: number, gate: CallGate | undefined): DomainError | undefined {
  const changed = envelope.status && !tool.annotations.readOnlyHint;
  if (bytes > MAX_ANSWER_BYTES) return answerTooLarge(tool.name, bytes, changed, pageLength(tool, envelope));
  return gate?.deliver(bytes, changed);
}

/** How many rows a paging tool's answer holds (its data's one list), or undefined for a tool that does not page. */
function pageLength(tool: Tool, envelope: Envelope<unknown>): number | undefined {
  if (!('pageSize' in tool.input.shape) || !isJsonObject(envelope.data)) return undefined;
  return (Object.values(envelope.data).find(Array.isArray) as unknown[] | undefined)?.length;
}

function trimmedAway(name: string, surface: Surface): Envelope<never> {
  const limits = [surface.readOnly && 'read-only', surface.toolsets && `limited to the toolsets ${surface.toolsets.join(', ')}`]
    .filter(Boolean)
    .join(' and ');
  return failed('FORBIDDEN', `The tool "${name}" is not available here: this connection is ${limits}.`, {
    hint: 'Use one of the tools tools/list shows, or ask for a connection that allows this one.',
  });
}

/**
 * The MCP server over a ticket service, for any transport. Tools are served by our
 * own tools/list and tools/call handlers rather than McpServer.registerTool, because
 * the SDK answers arguments that fail the schema with bare text before a handler
 * runs; here every answer, argument validation included, is the envelope.
 */
export function createServer(service: TicketService, options: ServerOptions): McpServer {
  const { caller, log, surface = {}, gate } = options;
  const fail = (error: unknown, name: string) => envelopeForError(error, (fault) => log.error('tool call failed', { tool: name, error: fault }));
  let shown: Promise<{ byName: Map<string, Tool>; all: readonly Tool[] }> | undefined;
  const shownTools = () =>
    (shown ??= registry().then((m) => ({ byName: new Map(m.selectTools(surface).map((tool) => [tool.name, tool])), all: m.tools })));
  let listing: Promise<{ tools: ListedTool[] }> | undefined;

  const mcp = new McpServer(
    { name: 'ticket-mcp', title: 'ticket-mcp helpdesk', version: packageVersion },
    { instructions: SERVER_INSTRUCTIONS },
  );
  // Unparseable input lines and transport faults: the session goes on, the log says why.
  mcp.server.onerror = (error) => log.warn('protocol error', { error });
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => (listing ??= toolListing(surface)));
  // Registered past Server.setRequestHandler, whose tools/call wrapper parses every
  // request and every result again with the SDK's full schemas: that cost the bin a
  // fifth of its CPU time per get_ticket (≈180 → ≈145 µs over stdio). The request is
  // checked here; results are CallToolResults by type.
  Protocol.prototype.setRequestHandler.call(mcp.server, ToolCallRequest, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    if (args !== undefined && !isJsonObject(args)) {
      throw new McpError(ErrorCode.InvalidParams, 'Invalid tools/call request: `arguments` must be an object of named arguments.');
    }
    // The SDK refuses a well-formed `task` before this handler; one that gets here is malformed.
    if (request.params.task !== undefined) {
      throw new McpError(ErrorCode.InvalidParams, 'Invalid tools/call request: `task` is malformed, and this server runs no tool as a task; leave it out.');
    }
    const started = performance.now();
    const { byName, all } = await shownTools();
    const tool = byName.get(name);
    const refused = tool && gate?.admit();
    let envelope: Envelope<unknown>;
    if (!tool) {
      envelope = all.some((t) => t.name === name)
        ? trimmedAway(name, surface)
        : failed('NOT_FOUND', `There is no tool "${name}".`, { hint: `Tools: ${[...byName.keys()].join(', ')}.` });
    } else if (refused) {
      envelope = fail(refused, name);
    } else {
      try {
        const { data, message } = await tool.run(service, caller, parseArguments(tool.name, tool.input, args));
        envelope = succeeded(data, message);
      } catch (error) {
        envelope = fail(error, name);
      }
    }
    let text = JSON.stringify(envelope);
    const withheld = tool && !refused ? withholding(tool, envelope, Buffer.byteLength(text), gate) : undefined;
    if (withheld) {
      envelope = fail(withheld, name);
      text = JSON.stringify(envelope);
    }
    // No arguments or answers at info level: they hold ticket contents. At debug, the arguments too.
    log.debug('tool call arguments', { tool: name, arguments: args });
    log.info('tool call', {
      tool: name,
      actor: caller.agentId,
      workspace: caller.workspaceId,
      ms: Math.round((performance.now() - started) * 1000) / 1000,
      outcome: envelope.error?.code ?? 'OK',
    });
    return asResult(envelope, text, tool);
  });
  registerResourcesAndPrompts(mcp, service, caller, log, surface.readOnly === true);
  return mcp;
}
