import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Surface } from '../tools/tool.js';
import type { Logger } from './log.js';
import { packageVersion } from './package-root.js';
import { createServer } from './server.js';
import { authenticate } from './service/keys.js';
import type { TicketService } from './service/service.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** Host header names accepted besides the bound host and localhost (DNS-rebinding protection). */
  allowedHosts?: string[];
  /** Browser origins accepted; requests without an Origin header (non-browser clients) always are. */
  allowedOrigins?: string[];
  surface: Surface;
  log: Logger;
  /** Adds to every request's server; the conformance run registers the suite's fixtures with it. */
  register?: (server: McpServer) => void;
}

export interface RunningHttpServer {
  url: string;
  /** Stops accepting, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** How long shutdown waits for requests in flight (a write waiting out another process's lock, say). */
const SHUTDOWN_GRACE_MS = 30_000;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A JSON-RPC error body, for answers given before the MCP layer sees the request. */
const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

const tooLarge = () => Object.assign(new Error(`request body too large: the limit is ${MAX_BODY_BYTES / 1024 / 1024} MB`), { status: 413 });

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  // Refused before reading when the length is declared: Node then discards the body and the
  // client reads the 413. A chunked body is cut off (connection reset) once past the limit.
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('request body is not valid JSON'), { status: 400, rpcCode: -32700 });
  }
}

function originHost(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return '';
  }
}

const hostnameOf = (hostHeader: string) => (hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!);

/**
 * Streamable HTTP at /mcp, stateless: each POST gets a server and transport of its
 * own, bound to the caller its API key names, and answers with JSON. The same
 * createServer() as stdio; only the caller and the surface differ per request.
 */
export async function startHttpServer(service: TicketService, options: HttpOptions): Promise<RunningHttpServer> {
  const { log } = options;
  const allowedHosts = new Set([options.host, ...LOOPBACK_NAMES, ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  // DNS rebinding aims at servers on loopback. Bound to every interface, the names clients use are
  // unknown unless listed, so Host is checked only when it can be: the API key guards the rest.
  const checkHost = LOOPBACK_NAMES.includes(options.host) || (options.allowedHosts?.length ?? 0) > 0;
  if (!checkHost) log.warn('Host headers are not checked: bound beyond loopback with no --allowed-hosts', { host: options.host });
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase()));
  let inFlight = 0;
  let drained: (() => void) | undefined;

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostname = hostnameOf(req.headers.host ?? '').toLowerCase();
    if (checkHost && !allowedHosts.has(hostname)) {
      log.warn('http request refused', { status: 403, reason: 'host', host: hostname });
      return sendJson(res, 403, rpcError(-32000, `Host "${hostname}" is not allowed; start the server with --allowed-hosts ${hostname} to accept it.`));
    }
    // A browser page may call only from an allowed origin, or from a page on an allowed host
    // (a local app on localhost): a rebinding attack's page has the attacker's origin.
    const origin = req.headers.origin?.toLowerCase();
    if (origin !== undefined && !allowedOrigins.has(origin) && !allowedHosts.has(originHost(origin))) {
      log.warn('http request refused', { status: 403, reason: 'origin', origin });
      return sendJson(res, 403, rpcError(-32000, `Origin "${origin}" is not allowed; see --allowed-origins.`));
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const identity = bearer === undefined ? undefined : await authenticate(service.reader, bearer);
    if (!identity) {
      log.info('http request refused', { status: 401, reason: bearer === undefined ? 'no key' : 'unknown or revoked key' });
      return sendJson(res, 401, rpcError(-32001, 'Unauthorized: send Authorization: Bearer <key>; create a key with `ticket-mcp keys create`.'), {
        'www-authenticate': 'Bearer realm="ticket-mcp"',
      });
    }
    // Stateless: no session to resume or end, and no stream for notifications (the
    // spec's answer for a server that offers no SSE stream is 405).
    if (req.method !== 'POST') {
      return sendJson(res, 405, rpcError(-32000, 'Method not allowed: this server is stateless; send requests with POST.'), { allow: 'POST' });
    }
    const body = await readJsonBody(req);
    const surface: Surface = identity.readOnly ? { ...options.surface, readOnly: true } : options.surface;
    const server = createServer(service, { caller: identity.caller, log, surface });
    options.register?.(server);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const http = createHttpServer((req, res) => {
    inFlight++;
    res.on('close', () => {
      if (--inFlight === 0) drained?.();
    });
    // Routed on the raw target: a malformed one (say "//[") must not throw out of the handler.
    const path = (req.url ?? '/').split('?')[0];
    const work =
      path === '/healthz' && req.method === 'GET'
        ? Promise.resolve(sendJson(res, 200, { status: 'ok', version: packageVersion, writable: service.writable }))
        : path === '/mcp'
          ? handleMcp(req, res)
          : Promise.resolve(sendJson(res, 404, { error: 'not found: the MCP endpoint is /mcp, the health check /healthz' }));
    work.catch((error: unknown) => {
      const status = (error as { status?: number }).status;
      if (status) return sendJson(res, status, rpcError((error as { rpcCode?: number }).rpcCode ?? -32600, (error as Error).message));
      log.error('http request failed', { error });
      if (!res.headersSent) sendJson(res, 500, rpcError(-32603, 'Internal error'));
      else res.end();
    });
  });
  http.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/mcp`,
    async close() {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, SHUTDOWN_GRACE_MS).unref();
        });
      }
      http.closeAllConnections();
      await closed;
    },
  };
}
