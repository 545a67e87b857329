import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { expect } from 'vitest';
import { parseMigrations } from '../src/db/migrate.js';
import { openSqliteEngine, sqliteEngine, type SqliteEngine } from '../src/db/sqlite/engine.js';
import { migrate } from '../src/db/sqlite/migrate.js';
import type { Tables } from '../src/db/tables.js';
import type { Envelope } from '../src/envelope.js';
import { createLogger } from '../src/log.js';
import { readSchemaSql } from '../src/package-root.js';
import { createServer } from '../src/server.js';
import type { Caller } from '../src/service/context.js';
import { TicketService } from '../src/service/service.js';

/** The published bin: the bundle and its launcher (npm run build). */
export const CLI = fileURLToPath(new URL('../dist/bin/ticket-mcp.cjs', import.meta.url));

/** A fresh folder per test file, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The service on a real SQLite file, with the default workspace and built-in actor. */
export async function openService(path: string): Promise<{ service: TicketService<SqliteEngine>; caller: Caller }> {
  const service = new TicketService(openSqliteEngine(path));
  const workspaceId = await service.ensureWorkspace();
  const actor = await service.resolveActor(workspaceId, undefined);
  return { service, caller: { workspaceId, agentId: actor.id } };
}

/** The service on a database that has only the first `version` migrations, as an earlier ticket-mcp left it. */
export async function openAtVersion(path: string, version: number): Promise<{ service: TicketService<SqliteEngine>; caller: Caller }> {
  const raw = new BetterSqlite3(path);
  migrate(raw, parseMigrations(readSchemaSql()).slice(0, version));
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: raw }) });
  const service = new TicketService(
    sqliteEngine({ db, reader: db, raw, path, schemaVersion: version, writeRefusal: () => undefined, close: () => db.destroy() }),
  );
  const workspaceId = await service.ensureWorkspace();
  return { service, caller: { workspaceId, agentId: (await service.resolveActor(workspaceId, undefined)).id } };
}

/**
 * A small helpdesk whose every invariant holds, written through the service: six
 * tickets, tags added and one removed, comments, assignments, one deletion, one deletion
 * undone, and one ticket moved from ENG-1 to SUP-6. The doctors of both engines start from it.
 */
export async function seedHealthyHelpdesk(path: string): Promise<void> {
  const { service, caller } = await openService(path);
  await service.createAgent(caller, { name: 'Priya', email: 'priya@example.com' });
  for (let i = 0; i < 5; i++) {
    const { data: t } = await service.createTicket(caller, { title: `Ticket ${i}`, requestorEmail: 'r@example.com' });
    await service.addTag(caller, { ticketId: t.id, tagId: 'billing' });
    await service.addComment(caller, { id: t.id, body: 'note' });
    if (i % 2 === 0) await service.assignTicket(caller, { id: t.id, assignedAgentId: 'Priya' });
    if (i === 4) await service.removeTag(caller, { ticketId: t.id, tagId: 'billing' });
  }
  await service.deleteTicket(caller, { id: 'SUP-2', confirm: true });
  await service.deleteTicket(caller, { id: 'SUP-4', confirm: true });
  await service.restoreTicket(caller, { id: 'SUP-4' });
  await service.createTeam(caller, { name: 'Engineering', identifier: 'ENG' });
  const { data: misrouted } = await service.createTicket(caller, { title: 'Misrouted', requestorEmail: 'r@example.com', teamId: 'ENG' });
  await service.updateTicket(caller, { id: misrouted.id, teamId: 'SUP' });
  await service.linkTickets(caller, { id: 'SUP-1', relatedId: 'SUP-3', type: 'blocks' });
  // A claim whose lease lapses (its end moved into the past, as time would), then swept by the next claim.
  const { data: leased } = await service.claimNextTicket(caller, { leaseSeconds: 60 });
  await service.engine.write((db) => db.updateTable('tickets').set({ lease_expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', leased!.id).execute());
  await service.claimNextTicket(caller, {});
  await service.close();
}

/** Every row of a paged list: `read` fetches one page (given the cursor to spread into its input), `rows` takes its rows. */
export async function everyPage<P extends { nextCursor: string | null }, R>(
  read: (cursor: { cursor?: string }) => Promise<{ data: P }>,
  rows: (page: P) => R[],
): Promise<R[]> {
  const all: R[] = [];
  let cursor: string | undefined;
  do {
    const { data } = await read(cursor === undefined ? {} : { cursor });
    all.push(...rows(data));
    cursor = data.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** A real SDK client talking to createServer() over an in-memory transport pair. */
export async function connectInMemory(service: TicketService, caller: Caller): Promise<Client> {
  const server = createServer(service, { caller, log: createLogger('error') });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'ticket-mcp-test', version: '1.0.0' });
  await client.connect(clientSide);
  // Output schemas are cached from tools/list: the client then validates every structuredContent.
  await client.listTools();
  return client;
}

export interface SpawnedServer {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
}

/** The built bin over stdio, as an agent runtime spawns it (`bin`: the command that starts it, when not plain node). */
export async function spawnServer(args: string[], env: Record<string, string> = {}, [command, ...bin]: string[] = [process.execPath, CLI]): Promise<SpawnedServer> {
  const transport = new StdioClientTransport({
    command: command!,
    args: [...bin, ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'ticket-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return { client, transport, stderr: () => stderr };
}

export type AnyEnvelope = Envelope<any>;

/**
 * Calls a tool and checks the answer is a well-formed envelope: structuredContent,
 * the same JSON as text, and isError exactly when status is false.
 */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<AnyEnvelope> {
  const result = await client.callTool({ name, arguments: args });
  const envelope = result.structuredContent as AnyEnvelope;
  expect(envelope).toBeDefined();
  const [text, ...links] = result.content as { type: string; text: string; uri?: string }[];
  expect(text!.type).toBe('text');
  expect(JSON.parse(text!.text)).toEqual(envelope);
  // Beside the envelope, only a link to the ticket resource (create_ticket, get_ticket).
  for (const link of links) {
    expect(envelope.status).toBe(true);
    expect(link).toMatchObject({ type: 'resource_link', uri: `ticket://${envelope.data.ticketIdentifier}`, mimeType: 'text/markdown' });
  }
  expect(result.isError).toBe(!envelope.status);
  expect(typeof envelope.message).toBe('string');
  expect(Number.isNaN(Date.parse(envelope.timestamp))).toBe(false);
  if (envelope.status) {
    expect(envelope.error).toBeUndefined();
  } else {
    expect(envelope.data).toBeNull();
    // The sentence is said once, in message; error holds the code and the advice.
    expect(envelope.error).not.toHaveProperty('message');
  }
  return envelope;
}

/** Calls a tool that must succeed, and returns its data. */
export async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const envelope = await call(client, name, args);
  expect(envelope.error, envelope.message).toBeUndefined();
  expect(envelope.status).toBe(true);
  return envelope.data;
}

/** Calls a tool that must fail with `code`, and returns the error with the envelope's sentence as its message. */
export async function fails(client: Client, name: string, args: Record<string, unknown>, code: string) {
  const envelope = await call(client, name, args);
  expect(envelope.status, JSON.stringify(envelope.data)?.slice(0, 200)).toBe(false);
  expect(envelope.error?.code).toBe(code);
  return { ...envelope.error!, message: envelope.message };
}
