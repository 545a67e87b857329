import type { Logger } from '../log.js';
import { packageVersion } from '../package-root.js';
import { createServer } from '../server.js';
import { StdioLineTransport } from '../stdio-transport.js';
import { ensureWorkspace, resolveActor } from '../service/workspace.js';
import { onShutdown, openService, workspaceName } from './common.js';
import { surfaceOf, type Values } from './options.js';

/** `ticket-mcp`: one session over stdin and stdout, as an agent runtime spawns it. */
export async function runStdio(values: Values, log: Logger): Promise<void> {
  const surface = surfaceOf(values);
  const { service, path } = openService(values);
  const workspace = workspaceName(values);
  const workspaceId = await ensureWorkspace(service.db, workspace);
  const actor = await resolveActor(service.db, workspaceId, values.actor || process.env.TICKETS_ACTOR);
  const server = createServer(service, { caller: { workspaceId, agentId: actor.id }, log, surface });
  const shutdown = onShutdown(log, async () => {
    // Answer what was asked before closing: calls in flight finish, and their answers go out.
    await service.idle();
    await new Promise(setImmediate);
    await server.close();
    await service.close();
  });
  // When stdin closes, requests already read may still be running: shut down once nothing is left to do.
  process.stdin.on('end', () => process.once('beforeExit', () => shutdown('stdin closed')));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await server.connect(new StdioLineTransport());
  log.info('ticket-mcp ready on stdio', {
    version: packageVersion,
    db: path,
    schemaVersion: service.database.schemaVersion,
    workspace,
    actor: `${actor.name} <${actor.email}>`,
  });
}
