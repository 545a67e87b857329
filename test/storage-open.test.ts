import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, fails, ok, spawnServer, tempDir } from './helpers.js';

/**
 * What opening a database may and may not do, through the built bin: a read-only
 * session writes nothing at all, another application's file is left untouched, and
 * new files are private to their owner.
 */
const { dir, cleanup } = tempDir();
afterAll(cleanup);

const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir }, input: '' });

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('opening a database', () => {
  it('writes nothing in a --read-only session: the file is byte for byte the same, no actor or workspace is made', async () => {
    const db = join(dir, 'readonly.db');
    const writer = await spawnServer(['--db', db]);
    const ticket = await ok(writer.client, 'create_ticket', { title: 'Printer jams', requestorEmail: 'ana@example.com' });
    await ok(writer.client, 'add_comment', { id: ticket.ticketIdentifier, body: 'Tried turning it off and on.' });
    await writer.client.close();
    const before = digest(db);

    // An actor the directory does not know: a writing session would add it as an agent.
    const reader = await spawnServer(['--db', db, '--read-only', '--actor', 'newcomer@example.com']);
    expect((await ok(reader.client, 'list_tickets')).tickets).toHaveLength(1);
    expect((await ok(reader.client, 'get_ticket', { id: ticket.ticketIdentifier })).comments).toHaveLength(1);
    expect((await ok(reader.client, 'list_tickets', { assignee: 'me' })).tickets).toEqual([]);
    expect((await ok(reader.client, 'list_agents')).agents.map((a: any) => a.email)).toEqual(['assistant@ticket-mcp.local']);
    await fails(reader.client, 'create_ticket', { title: 'x', requestorEmail: 'a@example.com' }, 'FORBIDDEN');
    await reader.client.close();
    expect(reader.stderr()).toContain('it reads as an anonymous reader');
    expect(digest(db)).toBe(before);

    const other = run(['--db', db, '--read-only', '--workspace', 'elsewhere']);
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('No workspace "elsewhere"');
    expect(digest(db)).toBe(before);

    const missing = join(dir, 'missing.db');
    const refused = run(['--db', missing, '--read-only']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`There is no database at ${missing}, and a --read-only session creates nothing.`);
    expect(existsSync(missing)).toBe(false);
  });

  it("refuses another application's SQLite file, or a file that is not SQLite, and leaves it as it was", () => {
    const foreign = join(dir, 'crm.db');
    const crm = new BetterSqlite3(foreign);
    crm.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Acme'), ('Globex');");
    crm.close();
    const before = digest(foreign);
    const refused = run(['--db', foreign]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${foreign} is an SQLite database of another application (tables: customers; schema version 0)`);
    expect(refused.stderr).toContain('Point --db (or TICKETS_DB) at a new file');
    expect(digest(foreign)).toBe(before);
    expect(readdirSync(dir).filter((f) => f.startsWith('crm.db'))).toEqual(['crm.db']);
    const reopened = new BetterSqlite3(foreign, { readonly: true });
    expect(reopened.pragma('journal_mode', { simple: true })).toBe('delete');
    reopened.close();

    const text = join(dir, 'notes.db');
    writeFileSync(text, 'these are my notes, not a database\n'.repeat(200));
    const notSqlite = run(['--db', text]);
    expect(notSqlite.status).toBe(1);
    expect(notSqlite.stderr).toContain(`${text} is not an SQLite database; ticket-mcp leaves it as it is.`);
    expect(readFileSync(text, 'utf8')).toBe('these are my notes, not a database\n'.repeat(200));
  });

  it('creates a new database, its -wal and its -shm readable by their owner only (0600)', async () => {
    const db = join(dir, 'private', 'tickets.db');
    const server = await spawnServer(['--db', db]);
    await ok(server.client, 'create_ticket', { title: 'Secret', requestorEmail: 'a@example.com' });
    // While the server runs, all three files exist.
    const modes = ['', '-wal', '-shm'].map((suffix) => (statSync(db + suffix).mode & 0o777).toString(8));
    await server.client.close();
    expect(modes).toEqual(['600', '600', '600']);
    expect((statSync(join(dir, 'private')).mode & 0o777).toString(8)).toBe('700');
  });
});
