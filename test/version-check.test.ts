import { join } from 'node:path';
import type { CompiledQuery } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/engine.js';
import type { SqliteEngine } from '../src/db/sqlite/engine.js';
import { DomainError } from '../src/errors.js';
import { TicketService } from '../src/service/service.js';
import { openService, tempDir } from './helpers.js';

/**
 * A change saves over the version it loaded (UPDATE … WHERE id = ? AND version = ?). Under
 * SQLite's BEGIN IMMEDIATE no other writer can get in between, so the race is staged: just
 * before a change's UPDATE of the ticket runs, another change's version bump is written on
 * the same connection, inside the transaction, as a concurrent winner would leave it.
 */
const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** The service on `engine`, with one concurrent change to `ticketId` staged before the first ticket UPDATE of each of the first `races` write attempts. */
function racing(engine: SqliteEngine, ticketId: () => string, races: number) {
  const attempts = { writes: 0, raced: 0 };
  const intercept = (trx: Db): Db =>
    new Proxy(trx, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (name !== 'executeQuery') return typeof value === 'function' ? value.bind(target) : value;
        return (query: CompiledQuery) => {
          if (/^update "tickets"/.test(query.sql) && attempts.raced < races && attempts.raced < attempts.writes) {
            attempts.raced++;
            engine.database.raw.prepare("UPDATE tickets SET version = version + 1, title = 'Changed meanwhile' WHERE id = ?").run(ticketId());
          }
          return target.executeQuery(query);
        };
      },
    });
  const service = new TicketService({
    ...engine,
    write: (work) =>
      engine.write((trx) => {
        attempts.writes++;
        return work(intercept(trx));
      }),
  });
  return { service, attempts };
}

describe('version-checked saves', () => {
  it('answers CONFLICT, and writes nothing, when the ticket moved past the version the caller named', async () => {
    const { service: plain, caller } = await openService(join(dir, 'named.db'));
    const { data: ticket } = await plain.createTicket(caller, { title: 'Printer on fire', requestorEmail: 'jo@example.com' });
    const { service, attempts } = racing(plain.engine, () => ticket.id, 1);
    const error = await service.updateTicket(caller, { id: ticket.id, title: 'Mine', expectedVersion: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('CONFLICT');
    expect((error as DomainError).extras.details).toEqual({ currentVersion: 2 });
    expect(attempts).toEqual({ writes: 1, raced: 1 });
    // The transaction rolled back whole: the ticket and its history are as they were.
    const { data } = await plain.getTicket(caller, { id: ticket.id });
    expect(data).toMatchObject({ title: 'Printer on fire', version: 1 });
    expect((await plain.getTicketHistory(caller, { id: ticket.id })).data.events.map((e) => e.type)).toEqual(['created']);
    await plain.close();
  });

  it('retries the whole change when no version was named, and applies it once over the version it then reads', async () => {
    const { service: plain, caller } = await openService(join(dir, 'unnamed.db'));
    const { data: ticket } = await plain.createTicket(caller, { title: 'Printer on fire', requestorEmail: 'jo@example.com' });
    const { service, attempts } = racing(plain.engine, () => ticket.id, 1);
    const { data } = await service.updateTicket(caller, { id: ticket.id, title: 'Mine' });
    expect(attempts).toEqual({ writes: 2, raced: 1 });
    expect(data).toMatchObject({ title: 'Mine', version: 2 });
    const history = (await plain.getTicketHistory(caller, { id: ticket.id })).data.events;
    expect(history.map((e) => [e.type, e.version])).toEqual([
      ['created', 1],
      ['metadata_updated', 2],
    ]);
    await plain.close();
  });
});
