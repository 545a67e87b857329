#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { parseToolsets, type Surface } from '../tools/index.js';
import { TOOLSETS } from '../tools/tool.js';
import { DomainError } from './errors.js';
import { startHttpServer } from './http.js';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './log.js';
import { packageVersion } from './package-root.js';
import { createServer } from './server.js';
import { createApiKey, listApiKeys, revokeApiKey } from './service/keys.js';
import { TicketService } from './service/service.js';
import { createWorkspace, DEFAULT_WORKSPACE, ensureWorkspace, listWorkspaces, resolveActor } from './service/workspace.js';

const HELP = `ticket-mcp ${packageVersion}: an MCP server that gives LLM agents a helpdesk.

Usage:
  ticket-mcp [options]                          serve MCP over stdio (what an agent runtime spawns)
  ticket-mcp serve --http [HOST:]PORT [options] serve MCP over Streamable HTTP at /mcp (API keys required)
  ticket-mcp keys create --actor EMAIL [--workspace NAME] [--read-only]
                                                create an API key for HTTP; it is printed once
  ticket-mcp keys list                          list API keys (never the keys themselves)
  ticket-mcp keys revoke ID                     revoke a key by id or prefix
  ticket-mcp workspaces create NAME             create an isolated workspace
  ticket-mcp workspaces list                    list workspaces

Options:
  --db PATH            SQLite file (env TICKETS_DB; default $XDG_DATA_HOME/ticket-mcp/tickets.db,
                       i.e. ~/.local/share/ticket-mcp/tickets.db). ":memory:" keeps nothing.
  --actor AGENT        stdio: who this session acts as: an agent id, email or name (env TICKETS_ACTOR;
                       default the built-in AI agent "Assistant"). An unknown email becomes a new AI agent.
  --workspace NAME     stdio and keys: the workspace (env TICKETS_WORKSPACE; default "${DEFAULT_WORKSPACE}")
  --read-only          only the tools that change nothing (stdio, serve, keys create)
  --toolsets LIST      only these toolsets, comma-separated: ${TOOLSETS.join(', ')}
                         tickets    create, assign, take over, complete, update, status, history, delete, get, list
                         comments   add_comment
                         tags       add_tag, remove_tag, create_tag, update_tag, list_tags
                         directory  agents and teams
  --allowed-hosts LIST serve: Host names accepted besides the bound host and localhost (DNS-rebinding protection)
  --allowed-origins LIST
                       serve: browser origins accepted (default none; non-browser clients send no Origin)
  --log-level LEVEL    ${LOG_LEVELS.join(' | ')} (env TICKETS_LOG_LEVEL; default info). JSON lines on stderr.
  -h, --help           show this help
  -v, --version        show the version
`;

const OPTIONS = {
  db: { type: 'string' },
  actor: { type: 'string' },
  workspace: { type: 'string' },
  'read-only': { type: 'boolean' },
  toolsets: { type: 'string' },
  http: { type: 'string' },
  'allowed-hosts': { type: 'string' },
  'allowed-origins': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** A mistake in how the bin was called: usage goes to stderr with exit code 2. */
class UsageError extends Error {}

function defaultDatabasePath(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'ticket-mcp', 'tickets.db');
}

function openService(values: Values): { service: TicketService; path: string } {
  // An empty value counts as unset: SQLite would open a temporary database and lose everything.
  const path = values.db || process.env.TICKETS_DB || defaultDatabasePath();
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return { service: TicketService.open(path), path };
}

function surfaceOf(values: Values): Surface {
  try {
    return {
      ...(values['read-only'] && { readOnly: true }),
      ...(values.toolsets !== undefined && { toolsets: parseToolsets(values.toolsets) }),
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const list = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);

/** Closes the server, lets calls in flight finish, then closes the database. */
function onShutdown(log: Logger, close: () => Promise<void>): (reason: string) => void {
  let closing = false;
  return (reason) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { reason });
    void close().then(() => {
      process.exitCode = 0;
      // Everything is closed, so the process ends by itself; this only guards against a stray handle.
      setTimeout(() => process.exit(0), 3_000).unref();
    });
  };
}

async function runStdio(values: Values, log: Logger): Promise<void> {
  const surface = surfaceOf(values);
  const { service, path } = openService(values);
  const workspaceName = values.workspace || process.env.TICKETS_WORKSPACE || DEFAULT_WORKSPACE;
  const workspaceId = await ensureWorkspace(service.db, workspaceName);
  const actor = await resolveActor(service.db, workspaceId, values.actor || process.env.TICKETS_ACTOR);
  const server = createServer(service, { caller: { workspaceId, agentId: actor.id }, log, surface });
  const shutdown = onShutdown(log, async () => {
    await server.close();
    await service.close();
  });
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await server.connect(new StdioServerTransport());
  log.info('ticket-mcp ready on stdio', {
    version: packageVersion,
    db: path,
    schemaVersion: service.database.schemaVersion,
    workspace: workspaceName,
    actor: `${actor.name} <${actor.email}>`,
  });
}

function parseListen(text: string | undefined): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text ?? '');
  if (!match || Number(match[2]) > 65535) throw new UsageError('serve needs --http [HOST:]PORT, e.g. --http 8080 or --http 0.0.0.0:8080');
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port: Number(match[2]) };
}

async function runHttp(values: Values, log: Logger): Promise<void> {
  const listen = parseListen(values.http);
  const surface = surfaceOf(values);
  const { service, path } = openService(values);
  await ensureWorkspace(service.db);
  const server = await startHttpServer(service, {
    ...listen,
    allowedHosts: list(values['allowed-hosts']),
    allowedOrigins: list(values['allowed-origins']),
    surface,
    log,
  });
  const shutdown = onShutdown(log, async () => {
    await server.close();
    await service.close();
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  log.info('ticket-mcp ready on http', { version: packageVersion, url: server.url, db: path, schemaVersion: service.database.schemaVersion });
}

async function runKeys(action: string | undefined, args: string[], values: Values): Promise<void> {
  const { service } = openService(values);
  try {
    await ensureWorkspace(service.db);
    if (action === 'create') {
      if (!values.actor) throw new UsageError('keys create needs --actor EMAIL (the agent the key acts as)');
      const { key, info } = await createApiKey(service.db, {
        workspace: values.workspace ?? DEFAULT_WORKSPACE,
        actor: values.actor,
        readOnly: values['read-only'] ?? false,
      });
      process.stderr.write(
        `Created key ${info.id} for ${info.actor} in workspace "${info.workspace}"${info.readOnly ? ', read-only' : ''}.\n` +
          'It is shown once; keep it secret. Send it as: Authorization: Bearer <key>\n',
      );
      process.stdout.write(`${key}\n`);
    } else if (action === 'list') {
      for (const k of await listApiKeys(service.db)) {
        const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
        process.stdout.write(`${k.id}  ${k.prefix}…  ${k.workspace}  ${k.actor}  ${k.readOnly ? 'read-only' : 'read-write'}  ${state}\n`);
      }
    } else if (action === 'revoke') {
      if (args.length !== 1) throw new UsageError('keys revoke needs the key id (or prefix) from keys list');
      const info = await revokeApiKey(service.db, args[0]!);
      process.stdout.write(`Revoked ${info.id} (${info.actor}, workspace "${info.workspace}").\n`);
    } else {
      throw new UsageError('keys needs create, list or revoke');
    }
  } finally {
    await service.close();
  }
}

async function runWorkspaces(action: string | undefined, args: string[], values: Values): Promise<void> {
  const { service } = openService(values);
  try {
    await ensureWorkspace(service.db);
    if (action === 'create') {
      if (args.length !== 1) throw new UsageError('workspaces create needs one NAME');
      await createWorkspace(service.db, args[0]!);
      process.stdout.write(`Created workspace "${args[0]}" with its team SUP; create a key for it with: ticket-mcp keys create --workspace ${args[0]} --actor EMAIL\n`);
    } else if (action === 'list') {
      for (const w of await listWorkspaces(service.db)) process.stdout.write(`${w.name}  ${w.tickets} tickets  created ${w.createdAt}\n`);
    } else {
      throw new UsageError('workspaces needs create or list');
    }
  } finally {
    await service.close();
  }
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(HELP);
  if (values.version) return void process.stdout.write(`${packageVersion}\n`);

  const level = values['log-level'] || process.env.TICKETS_LOG_LEVEL || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const log = createLogger(level as LogLevel);

  const [command, action, ...rest] = positionals;
  if (command === undefined) {
    if (values.http !== undefined) throw new UsageError('--http goes with the serve command: ticket-mcp serve --http PORT');
    return runStdio(values, log);
  }
  if (command === 'serve') return runHttp(values, log);
  if (command === 'keys') return runKeys(action, rest, values);
  if (command === 'workspaces') return runWorkspaces(action, rest, values);
  throw new UsageError(`unknown command "${command}"`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`ticket-mcp: ${error.message}\nRun ticket-mcp --help for usage.\n`);
    process.exit(2);
  }
  if (error instanceof DomainError) {
    process.stderr.write(`ticket-mcp: ${error.message}${error.extras.hint ? `\n${error.extras.hint}` : ''}\n`);
    process.exit(1);
  }
  createLogger().error('ticket-mcp failed', { error });
  process.exit(1);
});
