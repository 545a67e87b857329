import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examine } from '../src/db/sqlite/doctor.js';
import { openSqlite } from '../src/db/sqlite/open.js';
import { DomainError } from '../src/errors.js';
import type { Caller } from '../src/service/context.js';
import { TICKET_SORTS, type ListTicketsInput } from '../src/service/list.js';
import { SEARCH_TOKENIZER } from '../src/db/sqlite/search.js';
import { openSqliteEngine, type SqliteEngine } from '../src/db/sqlite/engine.js';
import { TicketService } from '../src/service/service.js';
import { describeEngines, openEngineService, type EngineKind } from './engines.js';
import { everyPage, fails, ok, openAtVersion, spawnServer, tempDir } from './helpers.js';

/**
 * Full-text search: any text is an answer (never INTERNAL), words split where the index
 * split them, each comment indexed once, each workspace searched alone, and cursors that
 * are exactly the ones a list handed out.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const { dir, cleanup } = tempDir();
afterAll(cleanup);
/** The service the running suite set up: one per engine, then SQLite's for what only it has. */
let service: TicketService;
let me: Caller;
const sqliteOf = (s: TicketService) => s.engine as SqliteEngine;

/** A fresh service of `kind` for the suite, with one ticket to find. */
function onEngine(kind: EngineKind): void {
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ service, caller: me, close } = await openEngineService(kind, 'search.db'));
    await service.createTicket(me, { title: 'Login fails with ERR_CONNECTION_REFUSED', requestorEmail: 'c@example.com', description: 'The user_id is 42.' });
  });
  afterAll(() => close());
}

const keys = async (input: ListTicketsInput, caller = me) => (await service.listTickets(caller, input)).data.tickets.map((r) => r.key);

/** A search's outcome: the keys found, or the code it was refused with. Anything else (a crash, INTERNAL) throws. */
async function outcome(search: string): Promise<string[] | string> {
  try {
    return await keys({ search, pageSize: 100 });
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

/** Pieces a model or a person might type, FTS5's own syntax among them. */
const piece = fc.oneof(
  fc.constantFrom('_', '"', '""', '*', '^', '-', '+', ':', '(', ')', '{', '}', '.', ',', "'", '\\', '/', '#', '`', '~', '|', '&'),
  fc.constantFrom('NEAR', 'NEAR(', 'AND', 'OR', 'NOT', 'near/3', 'title:', 'description:', 'comments:', '- ', ' '),
  fc.constantFrom('user_id', 'ERR_CONNECTION_REFUSED', 'Über', 'café', 'cafe\u0301', '東京', 'Ǆ', 'ﬁ', '①', '٣', '\u{1E900}', '\u{31350}'),
  fc.constantFrom('\u0000', '\n', '\t', '\r', '\u0301', '\u200b', '\u2028', '\ud800', '\udfff', '\u{1F600}', '\ufeff'),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 6 }),
);
const searchText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('').slice(0, 200));

describeEngines('search', (kind) => {
  onEngine(kind);

  describe('search text', () => {
    it('answers any text with tickets or VALIDATION_ERROR, and text with an ASCII letter or digit always with tickets', async () => {
      await fc.assert(
        fc.asyncProperty(searchText, async (search) => {
          const result = await outcome(search);
          if (typeof result === 'string') expect(result).toBe('VALIDATION_ERROR');
          if (/[A-Za-z0-9]/.test(search)) expect(result).toEqual(expect.any(Array));
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('comments in the index', () => {
    it('match a ticket whose comments hold every word, across several comments too', async () => {
      const { data: t } = await service.createTicket(me, { title: 'Refund request', requestorEmail: 'c@example.com' });
      await service.addComment(me, { id: t.id, body: 'The customer paid twice with Stripe.' });
      await service.addComment(me, { id: t.id, body: 'Chargeback filed on Monday.' });
      expect(await keys({ search: 'stripe chargeback' })).toEqual([t.ticketIdentifier]);
      expect(await keys({ search: 'refund', sort: 'created' })).toEqual([t.ticketIdentifier]);
      // A title edit re-indexes the title; the comments stay as they were.
      await service.updateTicket(me, { id: t.id, title: 'Duplicate payment' });
      expect(await keys({ search: 'refund' })).toEqual([]);
      expect(await keys({ search: 'duplicate payment' })).toEqual([t.ticketIdentifier]);
      expect(await keys({ search: 'stripe', sort: 'updated' })).toEqual([t.ticketIdentifier]);
    });
  });

  describe('workspaces', () => {
    it('each searches only its own tickets and comments', async () => {
      const other = await service.createWorkspace('search-other');
      const them: Caller = { workspaceId: other, agentId: (await service.resolveActor(other, undefined)).id };
      const mine = await service.createTicket(me, { title: 'Printer on fire', requestorEmail: 'c@example.com' });
      for (let i = 0; i < 30; i++) {
        const { data } = await service.createTicket(them, { title: `Printer ${i}`, requestorEmail: 'c@example.com' });
        await service.addComment(them, { id: data.id, body: 'printer toner everywhere' });
      }
      for (const sort of ['newest', 'created', 'updated'] as const) {
        expect(await keys({ search: 'printer', sort })).toEqual([mine.data.ticketIdentifier]);
        expect(await keys({ search: 'toner', sort })).toEqual([]);
        expect(await keys({ search: 'printer', sort, pageSize: 100 }, them)).toHaveLength(30);
      }
    });
  });

  describe('cursors', () => {
    const refusal = async (input: ListTicketsInput) => {
      const error = await service.listTickets(me, input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(input)).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('VALIDATION_ERROR');
      expect((error as DomainError).extras.hint).toMatch(/without a cursor/);
    };
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    it('refuses every cursor it did not hand out, rather than answering an empty page', async () => {
      for (let i = 0; i < 5; i++) await service.createTicket(me, { title: `Paged ${i}`, requestorEmail: 'c@example.com' });
      const page = await service.listTickets(me, { pageSize: 2 });
      const [kind, fingerprint] = JSON.parse(Buffer.from(page.data.nextCursor!, 'base64url').toString()) as string[];
      expect(kind).toBe('updated');
      const junk = [
        'garbage!',
        'e30',
        forged(['updated', fingerprint, 'junk', 'junk']),
        forged(['updated', fingerprint, '2026-01-01T00:00:00.000Z', '7']),
        forged(['updated', fingerprint, '2026-01-01T00:00:00.000Z', -1]),
        forged(['updated', fingerprint, '2026-01-01T00:00:00.000Z', 1.5]),
        forged(['updated', fingerprint, '2026-13-45T99:00:00.000Z', 3]),
        forged(['updated', fingerprint, '2026-01-01T00:00:00.000Z']),
        forged(['updated', fingerprint, '2026-01-01T00:00:00.000Z', 3, 4]),
        forged(['updated', 'other-filter', '2026-01-01T00:00:00.000Z', 3]),
        forged({ updated: 3 }),
      ];
      for (const cursor of junk) await refusal({ pageSize: 2, cursor });
      // The real one works, and only with the filters and sort it came from.
      expect((await service.listTickets(me, { pageSize: 2, cursor: page.data.nextCursor! })).data.tickets).toHaveLength(2);
      await refusal({ pageSize: 2, cursor: page.data.nextCursor!, status: 'pending' });
      await refusal({ pageSize: 2, cursor: page.data.nextCursor!, sort: 'newest' });
      await refusal({ pageSize: 2, cursor: page.data.nextCursor!, search: 'paged' });
      const searched = await service.listTickets(me, { search: 'paged', pageSize: 2 });
      await refusal({ search: 'printer', pageSize: 2, cursor: searched.data.nextCursor! });
      await refusal({ search: 'paged', pageSize: 2, cursor: forged(['newest', 'x', 'junk']) });
      // The same search in other words (case, punctuation) is the same list.
      expect((await service.listTickets(me, { search: 'PAGED!', pageSize: 2, cursor: searched.data.nextCursor! })).data.tickets).toHaveLength(2);
    });

    it('pages through a search in every sort: each match once, in order, however the pages fall', async () => {
      const made: string[] = [];
      for (let i = 0; i < 7; i++) made.push((await service.createTicket(me, { title: `Walrus ${i}`, requestorEmail: 'c@example.com' })).data.ticketIdentifier);
      // The last matches by a comment alone, which also makes it the most recently updated.
      const { data: byComment } = await service.createTicket(me, { title: 'Quiet', requestorEmail: 'c@example.com' });
      await service.addComment(me, { id: byComment.id, body: 'a walrus sighting' });
      made.push(byComment.ticketIdentifier);
      // All of one priority and undated: the priority and due sorts fall back to creation order.
      const expected = { created: made, newest: [...made].reverse(), updated: [byComment.ticketIdentifier, ...made.slice(0, 7).reverse()], priority: made, due: made };
      for (const sort of TICKET_SORTS) {
        const seen = await everyPage((cursor) => service.listTickets(me, { search: 'walrus', sort, pageSize: 3, ...cursor }), (p) => p.tickets.map((r) => r.key));
        expect(seen, sort).toEqual(expected[sort]);
      }
    });

    it('a history cursor belongs to its ticket', async () => {
      const { data: a } = await service.createTicket(me, { title: 'History A', requestorEmail: 'c@example.com' });
      const { data: b } = await service.createTicket(me, { title: 'History B', requestorEmail: 'c@example.com' });
      for (const t of [a, b]) for (let i = 0; i < 3; i++) await service.addComment(me, { id: t.id, body: `note ${i}` });
      const first = await service.getTicketHistory(me, { id: a.id, pageSize: 2 });
      expect((await service.getTicketHistory(me, { id: a.id, pageSize: 2, cursor: first.data.nextCursor! })).data.events).toHaveLength(2);
      await expect(service.getTicketHistory(me, { id: b.id, pageSize: 2, cursor: first.data.nextCursor! })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    });
  });
});

/** What only SQLite has: FTS5's tokenizer, its index tables and their upgrade. */
describe('search on SQLite', () => {
  onEngine('sqlite');

  describe('search text', () => {
    it('is split by the tokenizer both indexes use (less the stemmer, which runs on the query)', () => {
      const tables = sqliteOf(service).database.raw
        .prepare("SELECT sql FROM sqlite_schema WHERE name IN ('ticket_search', 'comment_search')")
        .pluck()
        .all() as string[];
      expect(tables).toHaveLength(2);
      for (const table of tables) expect(table).toContain(`tokenize = 'porter ${SEARCH_TOKENIZER}'`);
    });

    it('finds a word with underscores, and FTS5 syntax is only text (through the bin, over stdio)', async () => {
      const server = await spawnServer(['--db', join(dir, 'stdio.db')]);
      try {
        const created = await ok(server.client, 'create_ticket', { title: 'Checkout: ERR_CONNECTION_REFUSED', requestorEmail: 'c@example.com', description: 'order_id 7 NEAR "AND"' });
        await ok(server.client, 'create_ticket', { title: 'Another ticket', requestorEmail: 'c@example.com' });
        for (const search of ['ERR_CONNECTION_REFUSED', 'order_id', 'connection', 'refused_err', 'NEAR("and" order)', 'order_id*', '^checkout -7', 'checkout:order_id']) {
          const found = await ok(server.client, 'list_tickets', { search });
          expect(found.tickets.map((r: { key: string }) => r.key), search).toEqual([created.ticketIdentifier]);
        }
        const refused = await fails(server.client, 'list_tickets', { search: '"*" _ ^' }, 'VALIDATION_ERROR');
        expect(refused.hint).toMatch(/words/);
      } finally {
        await server.client.close();
      }
    });

    it('finds a ticket by any text it holds: the search splits words exactly where the index did', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(searchText, fc.boolean(), async (text, inComment) => {
          // A ticket matches when its title and description, or its comments, hold every word.
          const marker = `marker${++n}x`;
          const { data: t } = await service.createTicket(me, {
            title: inComment ? 'Probe' : `Probe ${marker}`,
            requestorEmail: 'c@example.com',
            ...(!inComment && { description: text }),
          });
          if (inComment) await service.addComment(me, { id: t.id, body: `${text} ${marker}` });
          expect(await outcome(`${text} ${marker}`)).toEqual([t.ticketIdentifier]);
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('comments in the index', () => {
    it('cost the same to add however many came before (20 KB each)', async () => {
      const { data: t } = await service.createTicket(me, { title: 'A long thread', requestorEmail: 'c@example.com' });
      const times: number[] = [];
      const body = (i: number) => `${i === 1 ? 'aardvark' : i === 150 ? 'zebra' : 'middle'} ${Array.from({ length: 2_400 }, (_, j) => `w${(i * 7_919 + j * 31) % 50_000}`).join(' ')}`.slice(0, 20_000);
      for (let i = 1; i <= 150; i++) {
        const started = performance.now();
        await service.addComment(me, { id: t.id, body: body(i) });
        times.push(performance.now() - started);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // Before: each comment re-indexed all earlier ones, and the 150th took about 200 ms.
      expect(median(times.slice(-10))).toBeLessThan(Math.max(50, 5 * median(times.slice(1, 11))));
      expect(await keys({ search: 'aardvark' })).toEqual([t.ticketIdentifier]);
      expect(await keys({ search: 'zebra' })).toEqual([t.ticketIdentifier]);
      expect(examine(sqliteOf(service).database.raw).filter((f) => !f.ok)).toEqual([]);
    });
  });

  describe('a database from before per-workspace search', () => {
    it('gets both indexes built from its tickets and comments when it opens', async () => {
      const path = join(dir, 'version3.db');
      const old = await openAtVersion(path, 3);
      const other = await old.service.createWorkspace('elsewhere');
      const them: Caller = { workspaceId: other, agentId: (await old.service.resolveActor(other, undefined)).id };
      for (const caller of [old.caller, them]) {
        const { data: t } = await old.service.createTicket(caller, { title: 'Scanner offline', requestorEmail: 'c@example.com', description: 'Since Tuesday.' });
        await old.service.addComment(caller, { id: t.id, body: 'Rebooted the scanner.' });
        await old.service.addComment(caller, { id: t.id, body: 'Firmware updated.' });
      }
      await old.service.createTicket(old.caller, { title: 'No comments here', requestorEmail: 'c@example.com' });
      await old.service.close();

      const upgraded = new TicketService(openSqliteEngine(path));
      try {
        const find = async (search: string, caller = old.caller) => (await upgraded.listTickets(caller, { search })).data.tickets.map((r) => r.key);
        expect(await find('tuesday')).toEqual(['SUP-1']);
        expect(await find('rebooted firmware')).toEqual(['SUP-1']);
        expect(await find('comments')).toEqual(['SUP-2']);
        expect(await find('firmware', them)).toEqual(['SUP-1']);
        // New comments go on being indexed, once each.
        await upgraded.addComment(old.caller, { id: 'SUP-2', body: 'Now there is one.' });
        expect(await find('now')).toEqual(['SUP-2']);
      } finally {
        await upgraded.close();
      }
      const doctor = openSqlite(path);
      expect(examine(doctor).filter((f) => !f.ok)).toEqual([]);
      doctor.close();
    });
  });
});
