import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool as ListedTool,
} from '@modelcontextprotocol/sdk/types.js';
import { tools as allTools } from '../tools/index.js';
import type { Tool } from '../tools/tool.js';
import { envelopeForError, envelopeSchema, failed, succeeded, type Envelope } from './envelope.js';
import { toCompactJsonSchema } from './json-schema.js';
import type { Logger } from './log.js';
import { packageVersion } from './package-root.js';
import type { Caller } from './service/context.js';
import type { TicketService } from './service/service.js';
import { parseArguments } from './validation.js';

export const SERVER_INSTRUCTIONS = `ticket-mcp is a helpdesk: tickets with a lifecycle, owners, tags, comments and a full history.
- Refer to tickets by key (SUP-42) or id; agents by id, email or exact name; teams by id, identifier (SUP) or name; tags by id or name.
- Lifecycle: open → pending → resolved → closed; pending or resolved can be reopened; closed is final.
- To start work on a ticket yourself, use takeover: it fails with CONFLICT if another agent holds the ticket. To hand a ticket to someone else, use assign_ticket. Finish with complete_ticket.
- Every answer is {data, status, message, timestamp}. When status is false, read error.code and error.hint, fix the call and retry.`;

export interface ServerOptions {
  /** Who every call acts as, and in which workspace. */
  caller: Caller;
  log: Logger;
  /** The tool surface; all tools unless trimmed. */
  tools?: readonly Tool[];
}

function describeTool(tool: Tool): ListedTool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: toCompactJsonSchema(tool.input, 'input') as ListedTool['inputSchema'],
    outputSchema: toCompactJsonSchema(envelopeSchema(tool.output), 'output') as ListedTool['outputSchema'],
    annotations: { title: tool.title, ...tool.annotations },
  };
}

const asResult = (envelope: Envelope<unknown>): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(envelope) }],
  structuredContent: envelope as unknown as Record<string, unknown>,
  isError: !envelope.status,
});

/**
 * The MCP server over a ticket service, for any transport. Tools are served by our
 * own tools/list and tools/call handlers rather than McpServer.registerTool, because
 * the SDK answers arguments that fail the schema with bare text before a handler
 * runs; here every answer, argument validation included, is the envelope.
 */
export function createServer(service: TicketService, options: ServerOptions): McpServer {
  const tools = options.tools ?? allTools;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listing = { tools: tools.map(describeTool) };
  const { caller, log } = options;

  const mcp = new McpServer(
    { name: 'ticket-mcp', title: 'ticket-mcp helpdesk', version: packageVersion },
    { instructions: SERVER_INSTRUCTIONS },
  );
  // Unparseable input lines and transport faults: the session goes on, the log says why.
  mcp.server.onerror = (error) => log.warn('protocol error', { error });
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => listing);
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args } = request.params;
    const tool = byName.get(name);
    if (!tool) {
      return asResult(
        failed('NOT_FOUND', `There is no tool "${name}".`, { hint: `Tools: ${[...byName.keys()].join(', ')}.` }),
      );
    }
    const started = performance.now();
    let envelope: Envelope<unknown>;
    try {
      const { data, message } = await tool.run(service, caller, parseArguments(tool.name, tool.input, args));
      envelope = succeeded(data, message);
    } catch (error) {
      envelope = envelopeForError(error, (fault) => log.error('tool call failed', { tool: name, error: fault }));
    }
    log.debug('tool call', {
      tool: name,
      actor: caller.agentId,
      ms: Math.round((performance.now() - started) * 1000) / 1000,
      outcome: envelope.error?.code ?? 'OK',
    });
    return asResult(envelope);
  });
  return mcp;
}
