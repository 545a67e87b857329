import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * The console's static files, served by the server itself (no CDN): htmx and its SSE
 * extension from the installed packages, and the one stylesheet. Read once, on first use.
 */
const resolve = createRequire(join(packageRoot, 'package.json')).resolve;

const FILES: Record<string, { path: () => string; type: string }> = {
  '/assets/htmx.min.js': { path: () => resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript' },
  '/assets/sse.min.js': { path: () => resolve('htmx-ext-sse/dist/sse.min.js'), type: 'text/javascript' },
  '/assets/console.css': { path: () => join(packageRoot, 'assets', 'console.css'), type: 'text/css' },
};

const loaded = new Map<string, Buffer>();

export const isAsset = (path: string) => path in FILES;

export function sendAsset(res: ServerResponse, path: string): void {
  const file = FILES[path]!;
  let body = loaded.get(path);
  if (!body) loaded.set(path, (body = readFileSync(file.path())));
  res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8`, 'cache-control': 'public, max-age=3600' }).end(body);
}
