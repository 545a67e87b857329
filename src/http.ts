import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Surface } from '../tools/tool.js';
import { CallsInFlight } from './answer-limits.js';
import type { Console } from './console/console.js';
import { guardAnswer } from './console/http-kit.js';
import { acceptedHosts, canonicalHost } from './http-hosts.js';
import type { Logger } from './log.js';
import { packageVersion } from './package-root.js';
import { createServer } from './server.js';
import type { TicketService } from './service/service.js';

/** How long a connection may take, and how many there may be. */
export interface HttpLimits {
  /** Until a request's headers have all arrived. */
  headersTimeoutMs: number;
  /** Until the whole request, body included, has arrived. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** An answer the client has not taken this long after it was written: its connection is cut. */
  sendTimeoutMs: number;
  /** Connections open at once; one more is closed as it arrives. */
  maxConnections: number;
}

/**
 * A request of at most MAX_BODY_BYTES (4 MB), or an answer of at most a batch's 4 MB of
 * text (about 9 MB on the wire), moves in well under 30 s on any working link, and a
 * client never needs 10 s to send headers. 256 connections are far more than a team's
 * agents hold (an MCP client keeps one or two), and well inside the 1,024 file
 * descriptors of a default `ulimit -n`.
 */
export const HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  sendTimeoutMs: 30_000,
  maxConnections: 256,
};

export interface HttpOptions {
  host: string;
  port: number;
  /** Host header names accepted besides the bound host and localhost (DNS-rebinding protection). */
  allowedHosts?: string[];
  /** Browser origins accepted; requests without an Origin header (non-browser clients) always are. */
  allowedOrigins?: string[];
  surface: Surface;
  log: Logger;
  /** Any limit to change from HTTP_LIMITS. */
  limits?: Partial<HttpLimits>;
  /** The web console, served at every path but /mcp and /healthz. */
  console?: Console;
  /** Adds to every request's server; the conformance run registers the suite's fixtures with it. */
  register?: (server: McpServer) => void;
}

export interface RunningHttpServer {
  url: string;
  /** Stops accepting, cuts requests still arriving, lets the work in flight finish, then resolves. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** How long shutdown waits for work in flight (a write waiting out another process's lock, say). */
const SHUTDOWN_GRACE_MS = 30_000;
/** How often Node checks the headers and request timeouts (its default, 30 s, would let them run twice as long). */
const TIMEOUT_CHECK_MS = 1_000;

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

/**
 * An id two requests of one batch share. The transport matches answers to requests by id,
 * so both would run and only one be answered: such a batch is refused whole, unrun.
 */
function repeatedId(body: unknown): string | number | undefined {
  if (!Array.isArray(body)) return undefined;
  const seen = new Set<string>();
  for (const message of body as { method?: unknown; id?: unknown }[]) {
    if (typeof message !== 'object' || message === null || message.method === undefined || message.id === undefined) continue;
    const key = JSON.stringify(message.id);
    if (seen.has(key)) return message.id as string | number;
    seen.add(key);
  }
  return undefined;
}

function originHost(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return '';
  }
}

/**
 * Streamable HTTP at /mcp, stateless: each POST gets a server and transport of its
 * own, bound to the caller its API key names, and answers with JSON. The same
 * createServer() as stdio; only the caller and the surface differ per request.
 */
export async function startHttpServer(service: TicketService, options: HttpOptions): Promise<RunningHttpServer> {
  const { log } = options;
  const limits = { ...HTTP_LIMITS, ...options.limits };
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase()));
  let allowedHosts: Set<string> | undefined;
  const callsInFlight = new CallsInFlight();
  /** Requests not yet answered. Shutdown waits for those that have arrived whole, and cuts the others. */
  const active = new Set<IncomingMessage>();
  const sockets = new Set<Socket>();
  let drained: (() => void) | undefined;

  /** DNS rebinding: a page whose name was pointed at this server sends that name as Host. */
  function refusedHost(req: IncomingMessage, res: ServerResponse): boolean {
    const hostname = canonicalHost(req.headers.host ?? '');
    if (!allowedHosts || allowedHosts.has(hostname)) return false;
    log.warn('http request refused', { status: 403, reason: 'host', host: req.headers.host });
    sendJson(res, 403, rpcError(-32000, `Host "${hostname}" is not allowed; start the server with --allowed-hosts ${hostname} to accept it.`));
    return true;
  }

  async function handleConsole(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    guardAnswer(res);
    if (refusedHost(req, res)) return;
    await options.console!.handle(req, res, path);
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (refusedHost(req, res)) return;
    // A browser page may call only from an allowed origin, or from a page on an allowed host
    // (a local app on localhost): a rebinding attack's page has the attacker's origin.
    const origin = req.headers.origin?.toLowerCase();
    if (origin !== undefined && !allowedOrigins.has(origin) && !allowedHosts?.has(originHost(origin))) {
      log.warn('http request refused', { status: 403, reason: 'origin', origin });
      return sendJson(res, 403, rpcError(-32000, `Origin "${origin}" is not allowed; see --allowed-origins.`));
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const identity = bearer === undefined ? undefined : await service.authenticate(bearer);
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
    const repeated = repeatedId(body);
    if (repeated !== undefined) {
      return sendJson(
        res,
        400,
        rpcError(-32600, `Invalid Request: two requests of the batch have the id ${JSON.stringify(repeated)}; give each its own id. Nothing in the batch was run.`),
      );
    }
    const surface: Surface = identity.readOnly ? { ...options.surface, readOnly: true } : options.surface;
    const gate = callsInFlight.exchange(bearer!);
    const server = createServer(service, { caller: identity.caller, log, surface, gate });
    options.register?.(server);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      gate.release();
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const http = createHttpServer(
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    (req, res) => {
      active.add(req);
      res.on('close', () => {
        active.delete(req);
        if (active.size === 0) drained?.();
      });
      // Once the answer is written, the client has sendTimeoutMs to take it: a stalled reader must
      // not hold its answer, and its key's calls, for ever. (Node hands the answer to the socket in
      // one write, so its socket timeout would not see a slow reader's progress either.)
      res.once('prefinish', () => {
        const timer = setTimeout(() => req.socket.destroy(), limits.sendTimeoutMs).unref();
        res.once('close', () => clearTimeout(timer));
      });
      // Routed on the raw target: a malformed one (say "//[") must not throw out of the handler.
      const path = (req.url ?? '/').split('?')[0];
      const work =
        path === '/healthz' && req.method === 'GET'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok', version: packageVersion, writable: service.writable }))
          : path === '/mcp'
            ? handleMcp(req, res)
            : options.console
              ? handleConsole(req, res, path ?? '/')
              : Promise.resolve(sendJson(res, 404, { error: 'not found: the MCP endpoint is /mcp, the health check /healthz' }));
      work.catch((error: unknown) => {
        // Cut by a timeout or by shutdown while it was arriving, or left by its client: nobody is left to answer.
        if (req.destroyed && !req.complete) return log.info('http request abandoned', { reason: (error as Error).message });
        const status = (error as { status?: number }).status;
        if (status) return sendJson(res, status, rpcError((error as { rpcCode?: number }).rpcCode ?? -32600, (error as Error).message));
        log.error('http request failed', { error });
        if (!res.headersSent) sendJson(res, 500, rpcError(-32603, 'Internal error'));
        else res.end();
      });
    },
  );
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  http.maxConnections = limits.maxConnections;
  let lastDrop = 0;
  http.on('drop', () => {
    if (Date.now() - lastDrop < 10_000) return;
    lastDrop = Date.now();
    log.warn('connections refused: the server has as many open as it takes', { maxConnections: limits.maxConnections });
  });
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  allowedHosts = acceptedHosts(address, options.host, options.allowedHosts);
  // DNS rebinding aims at servers on loopback. Bound to every interface, the names clients use are
  // unknown unless listed, so Host is checked only when it can be: the API key guards the rest.
  if (!allowedHosts) log.warn('Host headers are not checked: bound beyond loopback with no --allowed-hosts', { host: address.address });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/mcp`,
    async close() {
      options.console?.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Requests still arriving (a stalled upload, say) have run nothing, and idle connections
      // have nothing to run: they are cut now. Requests that arrived whole are answered.
      const answering = new Set([...active].filter((req) => req.complete).map((req) => req.socket));
      for (const socket of sockets) if (!answering.has(socket)) socket.destroy();
      if (active.size > 0) {
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
