import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMigrations } from '../src/db/migrate.js';
import { sqliteEngine, type SqliteEngine } from '../src/db/sqlite/engine.js';
import { openDatabase, type OpenDatabase } from '../src/db/sqlite/open.js';
import { readSchemaSql } from '../src/package-root.js';
import type { Tables } from '../src/db/tables.js';
import type { Caller } from '../src/service/context.js';
import type { ListTicketsInput } from '../src/service/list.js';
import { TicketService } from '../src/service/service.js';
import { openAtVersion, openService, tempDir } from './helpers.js';

/**
 * Every list filter is served by its index: the query the service really sends is
 * captured and run through EXPLAIN QUERY PLAN on a database of 2,100 tickets spread
 * over teams, agents, tags, requestors, chats and statuses, planned from the fixed
 * statistics that schema.sql ships (never from ANALYZE of the data).
 */
const { dir, cleanup } = tempDir();

/** A service on a database whose every statement is kept, to be explained. */
function capturing(opened: OpenDatabase): { service: TicketService<SqliteEngine>; sent: CompiledQuery[] } {
  const sent: CompiledQuery[] = [];
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: opened.raw }),
    log: (event) => void (event.level === 'query' && sent.push(event.query)),
  });
  return { service: new TicketService(sqliteEngine({ ...opened, db, reader: db })), sent };
}

/** The plan of a statement the service sent, step by step. */
const explain = (opened: OpenDatabase, query: CompiledQuery): string[] =>
  (opened.raw.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail);

let opened: OpenDatabase;
let service: TicketService<SqliteEngine>;
let sent: CompiledQuery[];
let me: Caller;

beforeAll(async () => {
  opened = openDatabase(join(dir, 'plans.db'));
  ({ service, sent } = capturing(opened));
  const workspaceId = await service.ensureWorkspace();
  me = { workspaceId, agentId: (await service.resolveActor(workspaceId, undefined)).id };
  for (const team of ['ENG', 'OPS', 'FIN']) await service.createTeam(me, { name: team, identifier: team });
  for (let i = 0; i < 10; i++) await service.createAgent(me, { name: `Agent ${i}`, email: `a${i}@example.com` });
  for (let i = 0; i < 2100; i++) {
    const { data: t } = await service.createTicket(me, {
      title: `Ticket ${i} about ${['disk', 'login', 'billing', 'email'][i % 4]}`,
      requestorEmail: `c${i % 200}@example.com`,
      teamId: ['SUP', 'ENG', 'OPS', 'FIN'][i % 4],
      chatId: `chat-${i}`,
      priorityName: ['Low', 'Medium', 'High', 'Urgent'][i % 4],
      ...(i % 7 === 0 && { dueDate: '2026-01-01' }),
    });
    if (i % 5 === 0) await service.addTag(me, { ticketId: t.id, tagId: ['billing', 'outage', 'vip'][i % 3]! });
    if (i % 3 === 0) await service.assignTicket(me, { id: t.id, assignedAgentId: `a${i % 10}@example.com` });
    if (i % 2 === 0) await service.setTicketStatus(me, { id: t.id, status: 'pending' });
  }
  // One tag on every ticket: common enough that a page is read in order and filtered.
  opened.raw.exec(`INSERT INTO tags (id, workspace_id, name, name_key, created_at, updated_at)
      VALUES ('tg_everywhere', '${me.workspaceId}', 'everywhere', 'everywhere', '2026-01-01', '2026-01-01');
    INSERT INTO ticket_tags (workspace_id, ticket_id, tag_id, created_by, created_at)
      SELECT workspace_id, id, 'tg_everywhere', created_by, created_at FROM tickets;`);
});

afterAll(async () => {
  await service.close();
  cleanup();
});

async function planOf(filter: ListTicketsInput): Promise<string[]> {
  sent.length = 0;
  await service.listTickets(me, filter);
  return explain(opened, sent.find((q) => q.sql.includes('"tickets" as "t"'))!);
}

describe('list_tickets query plans', () => {
  const cases: [string, ListTicketsInput, RegExp][] = [
    ['no filter', {}, /SEARCH t USING INDEX tickets_by_updated \(workspace_id=\?\)/],
    ['status', { status: 'open' }, /SEARCH t USING INDEX tickets_by_status \(workspace_id=\? AND status=\?\)/],
    ['assignee', { assignee: 'a3@example.com' }, /SEARCH t USING INDEX tickets_by_assignee \(assignee_id=\?\)/],
    ['team', { team: 'ENG' }, /SEARCH t USING INDEX tickets_by_team \(team_id=\?\)/],
    ['team and status', { team: 'ENG', status: 'open' }, /SEARCH t USING INDEX tickets_by_team_status \(team_id=\? AND status=\?\)/],
    ['rare tag', { tag: 'vip' }, /SEARCH ticket_tags USING COVERING INDEX ticket_tags_by_tag \(tag_id=\?\)/],
    [
      'common tag',
      { tag: 'everywhere', status: 'open' },
      /SEARCH t USING INDEX tickets_by_status \(workspace_id=\? AND status=\?\)[\s\S]*SEARCH tt EXISTS USING COVERING INDEX ticket_tags_by_tag \(tag_id=\? AND ticket_id=\?\)/,
    ],
    ['priority', { priority: 'High' }, /SEARCH t USING INDEX tickets_by_priority \(priority_id=\?\)/],
    ['requestor', { requestor: 'c7@example.com' }, /SEARCH t USING INDEX tickets_by_contact \(contact_id=\?\)/],
    ['chat', { chatId: 'chat-9' }, /SEARCH t USING INDEX tickets_by_chat \(workspace_id=\? AND chat_id=\?\)/],
    ['due before', { dueBefore: '2027-01-01' }, /SEARCH t USING INDEX tickets_by_due \(workspace_id=\? AND due_date<\?\)/],
  ];
  for (const [name, filter, expected] of cases) {
    it(`${name}: uses its index, never a scan of every ticket`, async () => {
      const plan = await planOf(filter);
      expect(plan.join('\n')).toMatch(expected);
      expect(plan.filter((step) => /^SCAN t\b/.test(step))).toEqual([]);
    });
  }
});

describe('search query plans', () => {
  // FTS5 shows what it was handed: M for the MATCH, > and < for the rowid range, which is the
  // caller's workspace alone. FTS5 seeks to the range and stops at its end, so other workspaces'
  // matches are never read.
  const scoped = (table: string) => new RegExp(`^SCAN ${table} VIRTUAL TABLE INDEX \\d+:M\\d+><$`, 'm');
  const inOrder: [string, ListTicketsInput][] = [
    ['newest first', { search: 'disk' }],
    ['oldest first', { search: 'disk', sort: 'created' }],
    ['with a filter', { search: 'disk', status: 'open' }],
  ];
  for (const [name, filter] of inOrder) {
    it(`${name}: both indexes read in rowid order within the workspace, merged, each match fetched by its seq`, async () => {
      const plan = (await planOf(filter)).join('\n');
      expect(plan).toMatch(/^CO-ROUTINE m\nMERGE \(UNION\)/);
      expect(plan).toMatch(scoped('ticket_search'));
      expect(plan).toMatch(scoped('comment_search'));
      expect(plan).toMatch(/^SCAN m\nSEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\)$/m);
      // Streamed: no sort of the matches, nothing collected before the first row.
      expect(plan).not.toMatch(/USE TEMP B-TREE FOR ORDER BY|MATERIALIZE|^SCAN t\b/m);
    });
  }

  it('a later page starts inside the range, after the cursor', async () => {
    const first = await service.listTickets(me, { search: 'disk', pageSize: 5 });
    const plan = (await planOf({ search: 'disk', pageSize: 5, cursor: first.data.nextCursor! })).join('\n');
    expect(plan).toMatch(scoped('ticket_search'));
    expect(plan).toMatch(scoped('comment_search'));
    expect(plan).not.toMatch(/USE TEMP B-TREE FOR ORDER BY|MATERIALIZE/);
  });

  it("by latest activity: the workspace's matches from both indexes, each ticket fetched by its seq", async () => {
    const plan = (await planOf({ search: 'disk', sort: 'updated' })).join('\n');
    expect(plan).toMatch(scoped('ticket_search'));
    expect(plan).toMatch(scoped('comment_search'));
    expect(plan).not.toMatch(/^SCAN t\b/m);
  });
});

describe('get_ticket query plans', () => {
  async function plansOf(ref: string): Promise<string[]> {
    sent.length = 0;
    const { data } = await service.getTicket(me, { id: ref });
    expect(data.ticketIdentifier).toBe('ENG-7');
    return sent.map((query) => explain(opened, query).join('\n'));
  }

  /** The links' statement: each side from its own index of ticket_links, the other ticket by id. */
  const expectLinksPlan = (plan: string) => {
    expect(plan).toMatch(/SEARCH l USING (COVERING )?INDEX sqlite_autoindex_ticket_links_1 \(ticket_id=\?\)/);
    expect(plan).toMatch(/SEARCH l USING (COVERING )?INDEX ticket_links_by_related \(related_id=\?\)/);
    expect(plan.split('\n').filter((step) => /^SCAN /.test(step))).toEqual([]);
  };

  it('by key: one statement for the ticket, found through its (team, number) index, and one for its links', async () => {
    const plans = await plansOf('eng-7');
    expect(plans).toHaveLength(2);
    expect(plans[0]).toMatch(/SEARCH t USING INDEX sqlite_autoindex_tickets_2 \(team_id=\? AND number=\?\)/);
    // Every table is searched by an index; the only scan is of the newest comments already collected.
    expect(plans[0]!.split('\n').filter((step) => /^SCAN /.test(step))).toEqual(['SCAN n']);
    expectLinksPlan(plans[1]!);
  });

  it('by id: the id index, then the ticket by id, then its links', async () => {
    const { data } = await service.getTicket(me, { id: 'ENG-7' });
    const plans = await plansOf(data.id);
    expect(plans).toHaveLength(3);
    for (const plan of plans.slice(0, 2)) expect(plan).toMatch(/SEARCH (t|tickets) USING INDEX sqlite_autoindex_tickets_1 \(id=\?\)/);
    expect(plans.slice(0, 2).join('\n').split('\n').filter((step) => /^SCAN /.test(step))).toEqual(['SCAN n']);
    expectLinksPlan(plans[2]!);
  });
});

describe('console queue counts query plan', () => {
  it('one read of the live tickets alone, from the tickets_live index in its order: no table row, no sort', async () => {
    sent.length = 0;
    await service.queueCounts(me);
    expect(sent).toHaveLength(1);
    const plan = explain(opened, sent[0]!).join('\n');
    expect(plan).toMatch(/^SEARCH t USING COVERING INDEX tickets_live \(workspace_id=\?\)$/m);
    expect(plan).not.toMatch(/TEMP B-TREE|^SCAN /m);
  });
});

describe('list_tickets with a common tag', () => {
  it('returns the same tickets as without the tag, since every ticket has it', async () => {
    const tagged = await service.listTickets(me, { tag: 'everywhere', status: 'open', pageSize: 50 });
    const all = await service.listTickets(me, { status: 'open', pageSize: 50 });
    expect(tagged.data.tickets.map((r) => r.key)).toEqual(all.data.tickets.map((r) => r.key));
    expect(tagged.data.tickets.every((r) => r.tags.includes('everywhere'))).toBe(true);
  });
});

describe('prepared statements', () => {
  it('bind no bare LIMIT, which would make SQLite prepare the statement again on every run', async () => {
    sent.length = 0;
    await service.getTicket(me, { id: 'SUP-1' });
    await expect(service.getTicket(me, { id: '#5' })).rejects.toMatchObject({ code: 'AMBIGUOUS' });
    await service.getTicketHistory(me, { id: 'SUP-1' });
    await service.listTickets(me, { status: 'open', pageSize: 5 });
    await service.listTickets(me, { search: 'disk' });
    await service.listTickets(me, { tag: 'vip' });
    await service.listAgents(me, {});
    await service.listTeams(me, {});
    await service.listTags(me, {});
    await service.assignTicket(me, { id: 'SUP-1', assignedAgentId: 'Agent 3' });
    await service.completeTicketKeys(me, 'SUP-1');
    await service.completeTeams(me, 'E');
    const statements = sent.map((q) => q.sql);
    expect(statements.filter((text) => /\blimit\b/i.test(text)).length).toBeGreaterThan(8);
    expect(statements.filter((text) => /\blimit \?(?! \+ 0)/i.test(text))).toEqual([]);
  });
});

describe('planner statistics', () => {
  const statistics = (raw: OpenDatabase['raw']) =>
    raw.prepare('SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx').all() as { tbl: string; idx: string; stat: string }[];

  it('are fixed in schema.sql for every index, and nothing recomputes them', async () => {
    const path = join(dir, 'statistics.db');
    const { service, caller } = await openService(path);
    const shipped = statistics(service.engine.database.raw);
    const indexes = service.engine.database.raw
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name NOT LIKE 'ticket_search_%' AND tbl_name NOT LIKE 'comment_search_%' ORDER BY name`)
      .all() as { name: string }[];
    expect(indexes.length).toBeGreaterThan(40);
    expect(indexes.map((i) => i.name).sort()).toEqual(shipped.map((s) => s.idx).sort());
    for (let i = 0; i < 50; i++) await service.createTicket(caller, { title: `Ticket ${i}`, requestorEmail: 'c@example.com' });
    await service.close();
    const reopened = openDatabase(path);
    expect(statistics(reopened.raw)).toEqual(shipped);
    await reopened.close();
  });

  it('replace the measured figures of an earlier version, in connections already open too', async () => {
    sent.length = 0;
    await service.getTicket(me, { id: 'SUP-1' });
    const getByKey = sent.find((q) => q.sql.includes('comment_count'))!.sql;
    const path = join(dir, 'upgraded.db');
    // What versions 1 and 2 left behind: their schema, and figures and samples measured on a one-ticket database.
    const first = await openAtVersion(path, 2);
    await first.service.createTicket(first.caller, { title: 'The only ticket', requestorEmail: 'c@example.com' });
    await first.service.close();
    const earlier = new Database(path);
    earlier.exec('ANALYZE');
    expect(earlier.prepare('SELECT count(*) AS n FROM sqlite_stat4').get()).not.toEqual({ n: 0 });
    const planOfGet = () => {
      // A statement run first, as the service's would be: a connection checks the schema when it reads.
      earlier.prepare('SELECT count(*) FROM tickets').get();
      return (earlier.prepare(`EXPLAIN QUERY PLAN ${getByKey}`).all(first.caller.workspaceId, 'SUP', 1) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    };
    expect(planOfGet()).toMatch(/^SCAN t$/m);

    const upgraded = openDatabase(path);
    expect(upgraded.schemaVersion).toBe(parseMigrations(readSchemaSql()).at(-1)!.version);
    expect(upgraded.raw.prepare('SELECT count(*) AS n FROM sqlite_stat4').get()).toEqual({ n: 0 });
    expect(statistics(upgraded.raw)).toEqual(statistics(opened.raw));
    // The connection opened before the upgrade plans from the new figures as well.
    expect(planOfGet()).toMatch(/SEARCH t USING INDEX sqlite_autoindex_tickets_2 \(team_id=\? AND number=\?\)/);
    earlier.close();
    await upgraded.close();
  });

  it('give get_ticket its index plan whatever the size the process first saw', async () => {
    const path = join(dir, 'growing.db');
    const first = await openService(path);
    await first.service.createTicket(first.caller, { title: 'The first ticket', requestorEmail: 'c@example.com' });
    await first.service.close();
    const growing = openDatabase(path);
    const { service, sent: statements } = capturing(growing);
    const planOfGet = async () => {
      statements.length = 0;
      await service.getTicket(first.caller, { id: 'SUP-1' });
      return explain(growing, statements.find((q) => q.sql.includes('comment_count'))!).join('\n');
    };
    const byKey = /SEARCH t USING INDEX sqlite_autoindex_tickets_2 \(team_id=\? AND number=\?\)/;
    expect(await planOfGet()).toMatch(byKey);
    for (let i = 0; i < 300; i++) await service.createTicket(first.caller, { title: `Ticket ${i}`, requestorEmail: `c${i}@example.com` });
    expect(await planOfGet()).toMatch(byKey);
    await service.close();
  });

  it('keep a status filter on its index when nearly every ticket has that status', async () => {
    const path = join(dir, 'all-open.db');
    const allOpen = openDatabase(path);
    const { service, sent: statements } = capturing(allOpen);
    const workspaceId = await service.ensureWorkspace();
    const caller = { workspaceId, agentId: (await service.resolveActor(workspaceId, undefined)).id };
    for (let i = 0; i < 300; i++) await service.createTicket(caller, { title: `Open ticket ${i}`, requestorEmail: 'c@example.com' });
    statements.length = 0;
    await service.listTickets(caller, { status: 'open', pageSize: 20 });
    const plan = explain(allOpen, statements.find((q) => q.sql.includes('from "tickets" as "t"'))!);
    expect(plan.join('\n')).toMatch(/SEARCH t USING INDEX tickets_by_status \(workspace_id=\? AND status=\?\)/);
    expect(plan.filter((step) => /^SCAN t\b|TEMP B-TREE FOR ORDER BY/.test(step))).toEqual([]);
    await service.close();
  });
});
