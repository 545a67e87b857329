import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { NEXT_STATUSES } from '../src/domain/lifecycle.js';
import { openService, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** The moves come from the lifecycle constant alone: the seeded status_transitions rows are not read by the service. */
it('moves a ticket by the lifecycle constant, whatever the status_transitions table holds', async () => {
  const { service, caller } = await openService(join(dir, 'moves.db'));
  service.engine.database.raw.prepare('DELETE FROM status_transitions').run();
  const { data: created } = await service.createTicket(caller, { title: 'Printer on fire', requestorEmail: 'jo@example.com' });
  expect(created.nextStatuses).toEqual(['pending']);
  const { data: pending } = await service.setTicketStatus(caller, { id: created.id, status: 'pending' });
  expect(pending).toMatchObject({ status: 'pending', nextStatuses: [...NEXT_STATUSES.get('pending')!] });
  expect(pending.nextStatuses).toEqual(['open', 'resolved']);
  await service.close();
});
