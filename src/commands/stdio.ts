import type { Logger } from '../log.js';
import { packageVersion } from '../package-root.js';
import { createServer } from '../server.js';
import { StdioLineTransport } from '../stdio-transport.js';
import { onShutdown, openService, workspaceName } from './common.js';
import { surfaceOf, type Values } from './options.js';

/** Who a read-only session reads as when its actor is not in the directory: no agent ("me" matches no ticket). */
const ANONYMOUS_READER = { id: 'ag_anonymous', name: 'anonymous reader', email: 'none' };

/** `ticket-mcp`: one session over stdin and stdout, as an agent runtime spawns it. */
export async function runStdio(values: Values, log: Logger): Promise<void> {
  const surface = surfaceOf(values);
  const { service, location } = await openService(values, { log, readOnly: surface.readOnly });
  const workspace = workspaceName(values);
  const actorRef = values.actor || process.env.TICKETS_ACTOR;
  // A database that takes no writes (--read-only, or read-only storage) is only read: the workspace and actor must exist.
  const { writable } = service;
  const workspaceId = writable ? await service.ensureWorkspace(workspace) : (await service.findWorkspace(workspace)).id;
  const actor = writable ? await service.resolveActor(workspaceId, actorRef) : await service.findActor(workspaceId, actorRef);
  if (!actor) log.warn('the actor is not in the directory, and this session writes nothing: it reads as an anonymous reader', { actor: actorRef });
  const { id: agentId, name, email } = actor ?? ANONYMOUS_READER;
  const server = createServer(service, { caller: { workspaceId, agentId }, log, surface });
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
    db: location,
    schemaVersion: service.schemaVersion,
    workspace,
    actor: `${name} <${email}>`,
    writable,
  });
}
