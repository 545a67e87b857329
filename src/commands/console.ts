import { createConsole } from '../console/console.js';
import { startHttpServer } from '../http.js';
import type { Logger } from '../log.js';
import { onShutdown, openService, workspaceName } from './common.js';
import { UsageError, type Values } from './options.js';

/**
 * `ticket-mcp console [--db] [--port] [--actor]`: the web console for one person on this
 * computer, without API keys. Guarded as Jupyter guards its server: bound to 127.0.0.1,
 * Host and Origin checked (DNS rebinding), and a sign-in link with a one-time token
 * printed on stdout; the person acts as --actor (default the built-in actor).
 */
export async function runConsole(values: Values, log: Logger): Promise<void> {
  const port = Number(values.port ?? '8765');
  if (!/^\d{1,5}$/.test(values.port ?? '8765') || port > 65535) throw new UsageError('--port takes a port number, e.g. --port 8765 (0 picks a free one)');
  const { service, location } = await openService(values, { log });
  const workspaceId = await service.ensureWorkspace(workspaceName(values));
  const actor = await service.resolveActor(workspaceId, values.actor || process.env.TICKETS_ACTOR);
  const console = createConsole(service, { log, local: { caller: { workspaceId, agentId: actor.id }, actorName: actor.name } });
  const server = await startHttpServer(service, { host: '127.0.0.1', port, surface: {}, log, console });
  const shutdown = onShutdown(log, async () => {
    await server.close();
    await service.close();
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const origin = server.url.replace(/\/mcp$/, '');
  log.info('ticket-mcp console ready', { url: origin, db: location, actor: actor.email });
  process.stdout.write(`Open the console (this link signs you in once):\n  ${console.signInLink(origin)}\n`);
}
