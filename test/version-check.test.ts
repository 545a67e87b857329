import { sql, type CompiledQuery } from 'kysely';
import { expect, it } from 'vitest';
import type { Db, Engine } from '../src/db/engine.js';
import { DomainError } from '../src/errors.js';
import { TicketService } from '../src/service/service.js';
import { describeEngines, openEngineService } from './engines.js';

/**
 * A change saves over the version it loaded (UPDATE … WHERE id = ? AND version = ?). Under
 * SQLite's BEGIN IMMEDIATE no other writer can get in between, so the race is staged: just
 * before a change's UPDATE of the ticket runs, another change's version bump is written on
 * the same connection, inside the transaction, as a concurrent winner would leave it. On
 * PostgreSQL the row lock keeps real writers out too, and the staged race checks that the
 * engine retries a ConcurrentChange as SQLite's does.
 */

/** The service on `engine`, with one concurrent change to `ticketId` staged before the first ticket UPDATE of each of the first `races` write attempts. */
function racing(engine: Engine, ticketId: () => string, races: number) {
  const attempts = { writes: 0, raced: 0 };
  const intercept = (trx: Db): Db =>
    new Proxy(trx, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (name !== 'executeQuery') return typeof value === 'function' ? value.bind(target) : value;
        return async (query: CompiledQuery) => {
          if (/^update "tickets"/.test(query.sql) && attempts.raced < races && attempts.raced < attempts.writes) {
            attempts.raced++;
            await sql`UPDATE tickets SET version = version + 1, title = 'Changed meanwhile' WHERE id = ${ticketId()}`.execute(target);
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

describeEngines('version-checked saves', (kind) => {
  it('answers CONFLICT, and writes nothing, when the ticket moved past the version the caller named', async () => {
    const { service: plain, caller, close } = await openEngineService(kind);
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
    await close();
  });

  it('retries the whole change when no version was named, and applies it once over the version it then reads', async () => {
    const { service: plain, caller, close } = await openEngineService(kind);
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
    await close();
  });
});
