import { startHttpServer } from '../http.js';
import type { Logger } from '../log.js';
import { packageVersion } from '../package-root.js';
import { ensureWorkspace } from '../service/workspace.js';
import { onShutdown, openService } from './common.js';
import { commaList, surfaceOf, UsageError, type Values } from './options.js';

function parseListen(text: string | undefined): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text ?? '');
  if (!match || Number(match[2]) > 65535) throw new UsageError('serve needs --http [HOST:]PORT, e.g. --http 8080 or --http 0.0.0.0:8080');
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port: Number(match[2]) };
}

/** `ticket-mcp serve --http [HOST:]PORT`: the team's shared server. */
export async function runHttp(values: Values, log: Logger): Promise<void> {
  const listen = parseListen(values.http);
  const surface = surfaceOf(values);
  const { service, path } = openService(values, { log, readOnly: surface.readOnly });
  await ensureWorkspace(service.db);
  const server = await startHttpServer(service, {
    ...listen,
    allowedHosts: commaList(values['allowed-hosts']),
    allowedOrigins: commaList(values['allowed-origins']),
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
