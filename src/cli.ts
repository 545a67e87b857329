#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './log.js';
import { packageVersion } from './package-root.js';
import { createServer } from './server.js';
import { TicketService } from './service/service.js';
import { ensureWorkspace, resolveActor } from './service/workspace.js';

const HELP = `ticket-mcp ${packageVersion}: an MCP server that gives LLM agents a helpdesk.

Usage: ticket-mcp [options]      serve MCP over stdio (what an agent runtime spawns)

Options:
  --db PATH          SQLite file (env TICKETS_DB; default $XDG_DATA_HOME/ticket-mcp/tickets.db,
                     i.e. ~/.local/share/ticket-mcp/tickets.db). ":memory:" keeps nothing.
  --actor AGENT      who this session acts as: an agent id, email or name (env TICKETS_ACTOR;
                     default the built-in AI agent "Assistant"). An unknown email becomes a new AI agent.
  --log-level LEVEL  ${LOG_LEVELS.join(' | ')} (env TICKETS_LOG_LEVEL; default info). Logs go to stderr.
  -h, --help         show this help
  -v, --version      show the version
`;

function defaultDatabasePath(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'ticket-mcp', 'tickets.db');
}

function fail(message: string): never {
  process.stderr.write(`ticket-mcp: ${message}\nRun ticket-mcp --help for usage.\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        db: { type: 'string' },
        actor: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return void process.stdout.write(HELP);
  if (values.version) return void process.stdout.write(`${packageVersion}\n`);

  const level = values['log-level'] ?? process.env.TICKETS_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const log = createLogger(level as LogLevel);

  const path = values.db ?? process.env.TICKETS_DB ?? defaultDatabasePath();
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const service = TicketService.open(path);
  const workspaceId = await ensureWorkspace(service.db);
  const actor = await resolveActor(service.db, workspaceId, values.actor ?? process.env.TICKETS_ACTOR);
  const server = createServer(service, { caller: { workspaceId, agentId: actor.id }, log });
  const transport = new StdioServerTransport();

  let closing = false;
  const shutdown = async (reason: string) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { reason });
    await server.close();
    await service.close();
    process.exitCode = 0;
    // Everything is closed, so the process ends by itself; this only guards against a stray handle.
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.stdin.on('end', () => void shutdown('stdin closed'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await server.connect(transport);
  log.info('ticket-mcp ready on stdio', {
    version: packageVersion,
    db: path,
    schemaVersion: service.database.schemaVersion,
    actor: `${actor.name} <${actor.email}>`,
  });
}

main().catch((error: unknown) => {
  createLogger().error('ticket-mcp failed to start', { error });
  process.exit(1);
});
