/**
 * Builds the published bin: one bundled file (dist/bin/main.cjs) started by a small
 * launcher (dist/bin/ticket-mcp.cjs) that runs it from V8's code cache. Loading the
 * SDK, zod and Kysely as hundreds of modules costs ~250 ms at every start; bundled,
 * with tools/list computed here and the bytecode cached, a session starts in a
 * fraction of that (bench/ measures it).
 *   npm run build   (tsc, then this)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../src/package-root.js';
import { describedTools } from '../src/server.js';

const BIN = join(packageRoot, 'dist', 'bin');
const MAIN = join(BIN, 'main.cjs');
const LAUNCHER = join(BIN, 'ticket-mcp.cjs');

const LAUNCHER_SOURCE = `#!/usr/bin/env node
'use strict';
// ticket-mcp's bin. Runs the bundle (main.cjs) from V8's code cache when one matches
// this Node, which spares compiling about 1 MB of JavaScript at every start. Without a
// usable cache it compiles as usual and leaves one for next time, if it may write here.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const main = path.join(__dirname, 'main.cjs');
const cacheFile = \`\${main}.v8-\${process.versions.v8}.cache\`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(main, 'utf8')), {
  filename: main,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData === undefined || script.cachedDataRejected || process.env.TICKET_MCP_WRITE_CODE_CACHE) {
  // At exit the cache holds every function this run compiled; written whole, then renamed into place.
  process.once('exit', () => {
    const partial = \`\${cacheFile}.\${process.pid}\`;
    try {
      fs.writeFileSync(partial, script.createCachedData());
      fs.renameSync(partial, cacheFile);
    } catch {
      try { fs.rmSync(partial, { force: true }); } catch {}
    }
  });
}
const bundle = { exports: {}, filename: main, id: main, loaded: false };
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(main), bundle, main, __dirname);
`;

/** A short session on a throwaway database, so the cache covers what a session runs. */
function warmUp(): void {
  const session = [
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'build', version: '1' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'create_ticket', arguments: { title: 'Warm-up', requestorEmail: 'build@example.com' } } },
    { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'takeover', arguments: { id: 'SUP-1' } } },
    { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'get_ticket', arguments: { id: 'SUP-1' } } },
    { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } },
  ];
  const result = spawnSync(process.execPath, [LAUNCHER, '--db', ':memory:', '--log-level', 'error'], {
    input: session.map((m) => JSON.stringify(m)).join('\n') + '\n',
    env: { ...process.env, TICKET_MCP_WRITE_CODE_CACHE: '1' },
    encoding: 'utf8',
  });
  const answered = result.stdout.trim().split('\n').filter(Boolean).length;
  if (result.status !== 0 || answered !== 6) throw new Error(`the bundled bin failed its warm-up session:\n${result.stderr}`);
}

/** zod bundles error messages in some fifty languages; answers here are in English, so only English is bundled. */
const zodInEnglishOnly: Plugin = {
  name: 'zod-in-english-only',
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (file) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(file.path),
    }));
  },
};

async function main(): Promise<void> {
  rmSync(BIN, { recursive: true, force: true });
  await build({
    entryPoints: [join(packageRoot, 'src', 'cli.ts')],
    outfile: MAIN,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // NO_MINIFY=1 keeps the names, for reading a CPU profile of the bin.
    minify: !process.env.NO_MINIFY,
    legalComments: 'none',
    // better-sqlite3 stays a real dependency, loaded from node_modules: its JavaScript
    // and its addon always come from the same installed version (an npm override included).
    external: ['better-sqlite3'],
    define: {
      BUNDLED_TOOLS: JSON.stringify(await describedTools()),
      'import.meta.url': '__bundleUrl',
    },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [zodInEnglishOnly],
    logLevel: 'warning',
  });
  // The launcher wraps the bundle in a function; a hashbang line is not valid there.
  writeFileSync(MAIN, readFileSync(MAIN, 'utf8').replace(/^#!.*\n/, ''));
  writeFileSync(LAUNCHER, LAUNCHER_SOURCE, { mode: 0o755 });
  warmUp();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
