/**
 * Runs the official MCP conformance suite against ticket-mcp over Streamable HTTP.
 *   npm run conformance [-- --scenario NAME]
 *
 * The suite cannot send headers, and every request to ticket-mcp needs an API key,
 * so the suite talks to a loopback proxy that adds `Authorization: Bearer <key>` and
 * forwards to the real server; the server itself runs exactly as `serve --http` does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpServer } from '../src/http.js';
import { createLogger } from '../src/log.js';
import { packageRoot } from '../src/package-root.js';
import { openSqliteEngine } from '../src/db/sqlite/engine.js';
import { TicketService } from '../src/service/service.js';
import { registerConformanceFixtures } from './conformance-fixtures.js';

/** @modelcontextprotocol/conformance@0.1.13, pinned in devDependencies (0.1.14 and newer need Node 22). */
const SUITE = join(packageRoot, 'node_modules', '.bin', 'conformance');

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-conformance-'));
  const service = new TicketService(openSqliteEngine(join(dir, 'tickets.db')));
  const caller = await service.ensureWorkspace();
  const { key } = await service.createApiKey({ workspace: 'default', actor: 'conformance@example.com', readOnly: false });
  // A ticket, so the resource template and prompts have something real to read and complete.
  const agent = (await service.listAgents({ workspaceId: caller, agentId: '' }, { search: 'conformance' })).data.agents[0]!;
  await service.createTicket({ workspaceId: caller, agentId: agent.id }, { title: 'Conformance check', requestorEmail: 'suite@example.com' });

  const server = await startHttpServer(service, {
    host: '127.0.0.1',
    port: 0,
    surface: {},
    log: createLogger('warn'),
    register: registerConformanceFixtures,
  });
  const target = new URL(server.url);
  const proxy = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, authorization: `Bearer ${key}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;

  const args = ['server', '--url', url, '--expected-failures', join(packageRoot, 'conformance', 'expected-failures.yml'), ...process.argv.slice(2)];
  console.error(`conformance ${args.join(' ')}`);
  const suite = spawn(SUITE, args, { stdio: 'inherit', cwd: dir });
  const code = await new Promise<number>((resolve) => suite.on('exit', (c) => resolve(c ?? 1)));

  proxy.close();
  await server.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  return code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
