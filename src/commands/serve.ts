import { createConsole } from '../console/console.js';
import { HTTP_LIMITS, startHttpServer, type HttpLimits } from '../http.js';
import type { Logger } from '../log.js';
import { packageVersion } from '../package-root.js';
import { onShutdown, openService } from './common.js';
import { commaList, surfaceOf, UsageError, type Values } from './options.js';

export function parseListen(text: string | undefined): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text ?? '');
  if (!match || Number(match[2]) > 65535) throw new UsageError('serve needs --http [HOST:]PORT, e.g. --http 8080 or --http 0.0.0.0:8080');
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port: Number(match[2]) };
}

/** The environment variables that change an HTTP limit (an operator's, or a test's that cannot wait 10 s). */
const LIMIT_VARIABLES: Record<keyof HttpLimits, string> = {
  headersTimeoutMs: 'TICKETS_HTTP_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'TICKETS_HTTP_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'TICKETS_HTTP_KEEPALIVE_TIMEOUT_MS',
  sendTimeoutMs: 'TICKETS_HTTP_SEND_TIMEOUT_MS',
  maxConnections: 'TICKETS_HTTP_MAX_CONNECTIONS',
};

function limitsFromEnvironment(): Partial<HttpLimits> {
  const limits: Partial<HttpLimits> = {};
  for (const [limit, name] of Object.entries(LIMIT_VARIABLES) as [keyof HttpLimits, string][]) {
    const text = process.env[name];
    if (!text) continue;
    if (!/^[1-9]\d{0,8}$/.test(text)) throw new UsageError(`${name} must be a whole number from 1 to 999999999, not "${text}"`);
    limits[limit] = Number(text);
  }
  // Node refuses a headers timeout longer than the request's, which includes the headers.
  const { headersTimeoutMs, requestTimeoutMs } = { ...HTTP_LIMITS, ...limits };
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new UsageError(`${LIMIT_VARIABLES.headersTimeoutMs} (${headersTimeoutMs}) must not be more than ${LIMIT_VARIABLES.requestTimeoutMs} (${requestTimeoutMs})`);
  }
  return limits;
}

/** `ticket-mcp serve --http [HOST:]PORT`: the team's shared server. */
export async function runHttp(values: Values, log: Logger): Promise<void> {
  const listen = parseListen(values.http);
  const limits = limitsFromEnvironment();
  const surface = surfaceOf(values);
  const { service, location } = await openService(values, { log, readOnly: surface.readOnly });
  await service.ensureWorkspace();
  const server = await startHttpServer(service, {
    ...listen,
    allowedHosts: commaList(values['allowed-hosts']),
    allowedOrigins: commaList(values['allowed-origins']),
    surface,
    log,
    limits,
    console: createConsole(service, { log, trustProxy: values['trust-proxy'] === true }),
  });
  const shutdown = onShutdown(log, async () => {
    await server.close();
    await service.close();
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  log.info('ticket-mcp ready on http', { version: packageVersion, url: server.url, db: location, schemaVersion: service.schemaVersion });
}
