/**
 * The web console with agents at work: seeds a realistic queue, serves the console, and
 * runs two scripted agents (each its own `ticket-mcp` stdio process, a real MCP client)
 * that claim, comment on and complete tickets every few seconds. Ctrl-C stops it all.
 *   npm run demo:console
 * Environment: TICKETS_DEMO_SECONDS (stop after this long), TICKETS_DEMO_PACE_MS (between
 * an agent's steps, default 3000), TICKETS_DEMO_PORT (default 8765; 0 picks a free one),
 * TICKETS_DEMO_DB (keep this SQLite file instead of a throwaway one).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { AGENTS, FIXES, LEAD, NOTES, TEAMS, tagOf, ticketsToCreate } from './demo-console-queue.js';

const CLI = fileURLToPath(new URL('../bin/ticket-mcp.cjs', import.meta.url));
const env = process.env;
const PACE_MS = Number(env.TICKETS_DEMO_PACE_MS ?? 3000);
const SECONDS = Number(env.TICKETS_DEMO_SECONDS ?? 0);
const PORT = env.TICKETS_DEMO_PORT ?? '8765';

async function connect(db: string, actor: string): Promise<Client> {
  const client = new Client({ name: 'ticket-mcp-demo-console', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--db', db, '--actor', actor], stderr: 'ignore' }));
  return client;
}

/** A tool call's envelope; a refusal is printed, not thrown: the demo goes on. */
async function call(client: Client, tool: string, args: Record<string, unknown>): Promise<{ status: boolean; data: any; message: string }> {
  const result = await client.callTool({ name: tool, arguments: args });
  const envelope = result.structuredContent as { status: boolean; data: any; message: string };
  if (!envelope.status) console.log(`  ${tool} refused: ${envelope.message}`);
  return envelope;
}

async function seed(lead: Client): Promise<void> {
  for (const team of TEAMS) await call(lead, 'create_team', team);
  for (const agent of AGENTS) await call(lead, 'create_agent', { ...agent, teams: [...agent.teams] });
  await call(lead, 'update_agent', LEAD);
  const tickets = ticketsToCreate();
  for (const [i, args] of tickets.entries()) {
    const { data } = await call(lead, 'create_ticket', args);
    await call(lead, 'add_tag', { ticketId: data.id, tagId: tagOf(i) });
    if (i % 4 === 1) await call(lead, 'add_comment', { id: data.id, body: 'Customer wrote again asking for an update.' });
    if (i % 10 === 5) await call(lead, 'takeover', { id: data.id });
  }
  console.log(`Seeded ${tickets.length} tickets in ${TEAMS.length + 1} teams, with tags, due dates and comments.`);
}

/** One scripted agent: claim the next ticket, comment on it, complete it; one step per pace. */
async function work(name: string, client: Client, stopped: AbortSignal): Promise<void> {
  let held: string | undefined;
  let commented = false;
  for (let step = 0; !stopped.aborted; step++) {
    if (!held) {
      const { data } = await call(client, 'claim_next_ticket', { leaseSeconds: 900 });
      held = data?.ticketIdentifier;
      console.log(held ? `${name} claimed ${held}: ${data.title}` : `${name}: the queue is empty`);
    } else if (!commented) {
      await call(client, 'add_comment', { id: held, body: NOTES[step % NOTES.length] });
      console.log(`${name} commented on ${held}`);
      commented = true;
    } else {
      await call(client, 'complete_ticket', { id: held, comment: FIXES[step % FIXES.length] });
      console.log(`${name} completed ${held}`);
      [held, commented] = [undefined, false];
    }
    await sleep(PACE_MS, undefined, { signal: stopped }).catch(() => undefined);
  }
}

/** Starts `ticket-mcp console` and returns it with the sign-in link it prints. */
async function serveConsole(db: string): Promise<{ child: ReturnType<typeof spawn>; link: string }> {
  const child = spawn(process.execPath, [CLI, 'console', '--db', db, '--port', PORT, '--actor', LEAD.id], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  while (!/http:\S+\n/.test(out)) {
    const [event] = await Promise.race([once(child.stdout, 'data').then(() => ['data']), once(child, 'exit').then(() => ['exit'])]);
    if (event === 'exit') throw new Error(`ticket-mcp console could not start (is port ${PORT} free? set TICKETS_DEMO_PORT)`);
  }
  return { child, link: /(http:\S+)\n/.exec(out)![1]! };
}

async function main(): Promise<void> {
  const dir = env.TICKETS_DEMO_DB ? undefined : mkdtempSync(join(tmpdir(), 'ticket-mcp-demo-console-'));
  const db = env.TICKETS_DEMO_DB ?? join(dir!, 'tickets.db');
  const lead = await connect(db, LEAD.id);
  await seed(lead);
  await lead.close();

  const { child, link } = await serveConsole(db);
  console.log(`\nOpen the console as ${LEAD.name} (the link signs you in once):\n  ${link}\n`);
  const agents = await Promise.all(['claude', 'codex'].map((name) => connect(db, `${name}@acme.example`)));
  console.log(`Claude and Codex are working the queue${SECONDS > 0 ? ` for ${SECONDS} s` : '; Ctrl-C stops them'}.\n`);

  const stop = new AbortController();
  const end = (why: string) => {
    if (stop.signal.aborted) return;
    console.log(`\n${why}: stopping the agents and the console…`);
    stop.abort();
  };
  process.on('SIGINT', () => end('Ctrl-C'));
  process.on('SIGTERM', () => end('SIGTERM'));
  if (SECONDS > 0) setTimeout(() => end(`${SECONDS} s are up`), SECONDS * 1000).unref();
  await Promise.all(agents.map((client, i) => work(i === 0 ? 'Claude' : 'Codex', client, stop.signal)));

  await Promise.all(agents.map((client) => client.close()));
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(dir ? 'Stopped. The database was a throwaway and is gone.' : `Stopped. The database stays at ${db}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
