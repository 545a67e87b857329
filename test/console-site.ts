import { spawnSync } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser } from './browser.js';
import { createEngineDatabase, type EngineDatabase, type EngineKind } from './engines.js';
import { CLI, tempDir } from './helpers.js';
import { connectHttp, serveHttp, stop, type ServedHttp } from './serve.js';

/**
 * A console to drive in Chromium: `serve --http` as its own process on a fresh database of
 * `kind`, API keys made with the bin (`keys create` arguments by name), an MCP agent signed in
 * with the key named `agent`, and `signedIn` for a browser page signed in with a key.
 */
export interface ConsoleSite {
  origin: string;
  served: ServedHttp;
  browser: Browser;
  agent: Client;
  keys: Record<string, string>;
  /** The bin against this database; its stdout, trimmed. */
  bin(...args: string[]): string;
  signedIn(key: string): Promise<Page>;
  close(): Promise<void>;
}

export async function openConsoleSite(kind: EngineKind, keyArgs: Record<string, string[]>, workspaces: string[] = []): Promise<ConsoleSite> {
  const { dir, cleanup } = tempDir();
  const env = { PATH: process.env.PATH ?? '', HOME: dir };
  const database: EngineDatabase = await createEngineDatabase(kind, 'console.db');
  const bin = (...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, ...args, '--db', database.target], { encoding: 'utf8', env });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  for (const name of workspaces) bin('workspaces', 'create', name);
  const keys = Object.fromEntries(Object.entries(keyArgs).map(([name, args]) => [name, bin('keys', 'create', ...args)]));
  const served = await serveHttp(database.target, env);
  const origin = served.url.replace(/\/mcp$/, '');
  const agent = await connectHttp(served.url, keys.agent!);
  const browser = await launchBrowser();

  async function signedIn(key: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(8_000);
    await page.goto(`${origin}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/`);
    return page;
  }

  async function close(): Promise<void> {
    await browser.close();
    await agent.close();
    await stop(served);
    await database.drop();
    cleanup();
  }

  return { origin, served, browser, agent, keys, bin, signedIn, close };
}
