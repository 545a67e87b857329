#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { TOOLSETS } from '../tools/tool.js';
import { OPTIONS, UsageError } from './commands/options.js';
import { DomainError } from './errors.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './log.js';
import { packageVersion } from './package-root.js';
import { DEFAULT_WORKSPACE } from './service/context.js';

const HELP = `ticket-mcp ${packageVersion}: an MCP server that gives LLM agents a helpdesk.

Usage:
  ticket-mcp [options]                          serve MCP over stdio (what an agent runtime spawns)
  ticket-mcp serve --http [HOST:]PORT [options] serve MCP over Streamable HTTP at /mcp and the web
                                                console at / (API keys required)
  ticket-mcp console [--db] [--port N] [--actor AGENT]
                                                the web console for one person on this computer (127.0.0.1, no
                                                API keys): prints a sign-in link that works once
  ticket-mcp keys create --actor EMAIL [--workspace NAME] [--read-only]
                                                create an API key for HTTP; it is printed once
  ticket-mcp keys list                          list API keys (never the keys themselves)
  ticket-mcp keys revoke ID                     revoke a key by id or prefix
  ticket-mcp workspaces create NAME             create an isolated workspace
  ticket-mcp workspaces list                    list workspaces
  ticket-mcp doctor [--json]                    check the database's invariants; exit code 1 if one fails
  ticket-mcp backup PATH                        copy the SQLite database to PATH, consistently, while it is in use
                                                (on PostgreSQL it prints the pg_dump command to use instead)
  ticket-mcp migrate --from FILE.db --to postgres://USER@HOST/DB
                                                copy a whole SQLite database into an empty PostgreSQL one, in one
                                                transaction; then compare counts and run the doctor on the copy

Options:
  --db PATH|URL        SQLite file (env TICKETS_DB; default $XDG_DATA_HOME/ticket-mcp/tickets.db,
                       i.e. ~/.local/share/ticket-mcp/tickets.db). ":memory:" keeps nothing.
                       A postgres:// or postgresql:// URL serves from PostgreSQL instead.
  --pool-size N        PostgreSQL: connections this process keeps (env TICKETS_PG_POOL; default 10)
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
  --trust-proxy        serve: behind a TLS proxy, X-Forwarded-Proto: https marks console cookies Secure
  --port N             console: the port on 127.0.0.1 (default 8765; 0 picks a free one)
  --log-level LEVEL    ${LOG_LEVELS.join(' | ')} (env TICKETS_LOG_LEVEL; default info). JSON lines on stderr.
  --from FILE.db       migrate: the ticket-mcp SQLite database to copy (only read)
  --to URL             migrate: the PostgreSQL database to copy into; it must hold no ticket-mcp rows
  --json               doctor: the findings as JSON
  -h, --help           show this help
  -v, --version        show the version

serve's limits, from the environment (milliseconds; defaults in brackets):
  TICKETS_HTTP_HEADERS_TIMEOUT_MS [10000]  TICKETS_HTTP_REQUEST_TIMEOUT_MS [30000] (the whole request, body included)
  TICKETS_HTTP_KEEPALIVE_TIMEOUT_MS [5000] TICKETS_HTTP_SEND_TIMEOUT_MS [30000] (to take an answer)
  TICKETS_HTTP_MAX_CONNECTIONS [256] (a count)
`;

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
    return (await import('./commands/stdio.js')).runStdio(values, log);
  }
  // Each command loads only what it needs: a stdio session starts without the HTTP stack.
  if (command === 'console') return (await import('./commands/console.js')).runConsole(values, log);
  if (command === 'serve') return (await import('./commands/serve.js')).runHttp(values, log);
  if (command === 'keys') return (await import('./commands/admin.js')).runKeys(action, rest, values);
  if (command === 'workspaces') return (await import('./commands/admin.js')).runWorkspaces(action, rest, values);
  if (command === 'doctor') return (await import('./commands/maintenance.js')).runDoctor(values);
  if (command === 'backup') return (await import('./commands/maintenance.js')).runBackup(action, values);
  if (command === 'migrate') return (await import('./commands/migrate.js')).runMigrate(values, log);
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
