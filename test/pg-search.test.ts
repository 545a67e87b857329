import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres, type OpenPostgres } from '../src/db/postgres/open.js';
import { pgTicketSearch } from '../src/db/postgres/search.js';
import { createTestDatabase, describePg, type TestDatabase } from './pg.js';
import { insertComment, insertTicket, seedWorkspace, type SeededWorkspace } from './pg-seed.js';

/** Text that breaks naive tsquery building: operators, quotes, prefixes, NUL, lone surrogates, emoji, accents. */
const HOSTILE = ['"', "'", ':', ':*', '&', '|', '!', '!!', '<->', '<2>', '(', ')', '-', '*', '_', '\\', ' or ', ' and ', '\0', '\ud800', '😀', 'é', 'ß', '​'];

describePg('PostgreSQL full-text search', () => {
  let database: TestDatabase;
  let opened: OpenPostgres;
  let ws: SeededWorkspace;
  let other: SeededWorkspace;
  const tickets: Record<string, string> = {};

  const search = async (text: string, workspace = ws) =>
    (
      await opened.db
        .selectFrom('tickets as t')
        .select(['t.id', 't.workspace_id'])
        .where('t.workspace_id', '=', workspace.id)
        .where(pgTicketSearch(workspace.id, text))
        .orderBy('t.seq')
        .execute()
    ).map((r) => {
      expect(r.workspace_id).toBe(workspace.id);
      return Object.keys(tickets).find((k) => tickets[k] === r.id) ?? r.id;
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    opened = await openPostgres(database.url);
    ws = await seedWorkspace(opened.db, 'search');
    other = await seedWorkspace(opened.db, 'elsewhere');
    tickets.refund = await insertTicket(opened.db, ws, { title: 'Customer refunds pending', description: 'Paid twice by card' });
    tickets.cafe = await insertTicket(opened.db, ws, { title: 'Café opening hours', description: null });
    tickets.column = await insertTicket(opened.db, ws, { title: 'Import fails', description: 'the user_id column is empty' });
    tickets.email = await insertTicket(opened.db, ws, { title: 'Mail bounces', description: 'sent to bob@example.com via mx.example.org' });
    tickets.vpn = await insertTicket(opened.db, ws, { title: 'VPN drops', description: 'every hour' });
    await insertComment(opened.db, ws, tickets.vpn, 'Customer asks for a refund or a credit this month');
    await insertComment(opened.db, ws, tickets.vpn, 'Second refund request');
    tickets.elsewhere = await insertTicket(opened.db, other, { title: 'Refund elsewhere', description: 'VPN too' });
  });
  afterAll(async () => {
    await opened?.close();
    await database?.drop();
  });

  it('matches title, description and comments, in any English form, accents folded, within the workspace', async () => {
    expect(await search('refund')).toEqual(['refund', 'vpn']);
    expect(await search('REFUNDED')).toEqual(['refund', 'vpn']);
    expect(await search('twice')).toEqual(['refund']);
    expect(await search('cafe')).toEqual(['cafe']);
    expect(await search('CAFÉS')).toEqual(['cafe']);
    expect(await search('refund', other)).toEqual(['elsewhere']);
    expect(await search('nothing-like-this')).toEqual([]);
  });

  it('finds words joined by _ and the words of emails and host names, as SQLite does', async () => {
    expect(await search('user_id')).toEqual(['column']);
    expect(await search('"user_id"')).toEqual(['column']);
    expect(await search('user')).toEqual(['column']);
    expect(await search('example')).toEqual(['email']);
    expect(await search('bob@example.com')).toEqual(['email']);
    expect(await search('mx.example.org')).toEqual(['email']);
  });

  it('takes SQLite\'s form of a search (every word quoted) as "all of these words", "or" included', async () => {
    expect(await search('"customer" "refund"')).toEqual(['refund', 'vpn']);
    expect(await search('"refund" "card"')).toEqual(['refund']);
    expect(await search('"refund" "or" "month"')).toEqual(['vpn']);
  });

  it('never fails on hostile text, and answers only from the workspace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 6 }), fc.constantFrom('refund', 'vpn', 'user_id')), { maxLength: 8 }), async (parts) => {
        await search(parts.join(''));
        await search(parts.join(' '));
      }),
      { numRuns: 150 },
    );
  });

  it('reads both branches from their GIN index in a workspace of thousands of tickets', async () => {
    await opened.pool.query(
      `INSERT INTO tickets (id, workspace_id, team_id, number, title, status, priority_id, sentiment_id, contact_id, source, created_by, created_at, updated_at)
       SELECT 'tk_filler_' || g, $1, $2, 1000 + g, 'Filler ticket ' || g, 'open', $3, $4, $5, 'test', $6, $7, $7
       FROM generate_series(1, 3000) g`,
      [ws.id, ws.team, ws.priority, ws.sentiment, ws.contact, ws.agent, new Date().toISOString()],
    );
    await opened.pool.query(
      `INSERT INTO comments (id, workspace_id, ticket_id, author_id, body, created_at)
       SELECT 'cm_filler_' || g, $1, 'tk_filler_' || g, $2, 'Filler note ' || g, $3 FROM generate_series(1, 3000) g`,
      [ws.id, ws.agent, new Date().toISOString()],
    );
    await opened.pool.query('ANALYZE tickets; ANALYZE comments');
    const compiled = opened.db.selectFrom('tickets as t').select('t.id').where(pgTicketSearch(ws.id, 'refund')).compile();
    // At this size a sequential scan of a table can still cost about the same as its index;
    // taking it off the table shows the query's shape is one the GIN indexes serve.
    const client = await opened.pool.connect();
    const explained = await client
      .query('BEGIN; SET LOCAL enable_seqscan = off')
      .then(() => client.query(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]))
      .finally(() => client.query('ROLLBACK').finally(() => client.release()));
    const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('Bitmap Index Scan on tickets_search');
    expect(plan).toContain('Bitmap Index Scan on comments_search');
    expect(await search('refund')).toEqual(['refund', 'vpn']);
  });
});
