import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Html } from './html.js';

/** What every console answer carries: no inline script or style, no framing, no referrer leaks, no caching. */
const GUARD_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * Set before anything else answers a console path, so refusals (Host, Origin, CSRF), errors,
 * 404s, assets and the live stream carry them too; an answer may still override one (assets' caching).
 */
export function guardAnswer(res: ServerResponse): void {
  for (const [name, value] of Object.entries(GUARD_HEADERS)) res.setHeader(name, value);
}

export function sendHtml(res: ServerResponse, status: number, page: Html, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(page.text);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { location, ...headers }).end();
}

/** A comment holds at most 20,000 characters, up to 4 bytes each as UTF-8, percent-encoded: 256 KB covers any valid form. */
const MAX_FORM_BYTES = 256 * 1024;

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) throw Object.assign(new Error('form too large'), { status: 413 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw Object.assign(new Error('form too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function cookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) jar.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return jar;
}
