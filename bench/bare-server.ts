/** The baseline of the cold-start benchmark: a bare SDK server with one no-op tool, as its README writes one. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const server = new McpServer({ name: 'bare', version: '1.0.0' });
server.registerTool('noop', { description: 'Does nothing.' }, () => ({ content: [{ type: 'text', text: 'ok' }] }));
await server.connect(new StdioServerTransport());
