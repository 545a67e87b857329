import pg from 'pg';
import { openPostgresEngine } from '../src/db/postgres/engine.js';
import { newId } from '../src/service/context.js';
import { TicketService } from '../src/service/service.js';
import { log, median, percentile, timed, us, type Row } from './harness.js';

interface Statement {
  text: string;
  values?: unknown[];
}

/** The statements every pg client of this process sends while `work` runs: one round trip each. */
async function statements(work: () => Promise<unknown>): Promise<Statement[]> {
  const query = pg.Client.prototype.query;
  const sent: Statement[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    sent.push(typeof args[0] === 'string' ? { text: args[0], values: args[1] as unknown[] } : (args[0] as Statement));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

/**
 * Where the one statement `work` sends spends its time, in ms: planning and execution by
 * EXPLAIN ANALYZE (the service sends unnamed statements, so the server plans each call
 * again), and the statement replayed on a raw connection (server and wire, no service code).
 */
async function planned(raw: pg.Client, work: () => Promise<unknown>, times: number) {
  const sent = await statements(work);
  if (sent.length !== 1) throw new Error(`expected one statement, got ${sent.length}`);
  const planning: number[] = [];
  const execution: number[] = [];
  const replay: number[] = [];
  for (let i = 0; i < times; i++) {
    replay.push((await timed(() => raw.query(sent[0]!.text, sent[0]!.values)))[1]);
    const { rows } = await raw.query(`EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) ${sent[0]!.text}`, sent[0]!.values);
    const plan = (rows[0] as { 'QUERY PLAN': { 'Planning Time': number; 'Execution Time': number }[] })['QUERY PLAN'][0]!;
    planning.push(plan['Planning Time']);
    execution.push(plan['Execution Time']);
  }
  return { planning: median(planning), execution: median(execution), replay: median(replay) };
}

/**
 * In-process, on one connection each, taking turns: SELECT 1, a raw transaction writing
 * what a create writes (counter, ticket, event: BEGIN + 3 + COMMIT = 5 round trips), the
 * same without waiting for the WAL flush, and the service's createTicket and getTicket;
 * then the statements each service call sends, and where a read's one statement spends its time.
 */
export async function floor(url: string, count: number) {
  const engine = await openPostgresEngine(url, { poolSize: 1 });
  const service = new TicketService(engine);
  const workspaceId = await service.ensureWorkspace();
  const caller = { workspaceId, agentId: (await service.resolveActor(workspaceId, undefined)).id };
  const { data: first } = await service.createTicket(caller, { title: 'Floor seed', requestorEmail: 'floor@example.com' });

  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const { rows } = await raw.query(
    `SELECT t.team_id, t.priority_id, t.sentiment_id, t.contact_id FROM tickets t WHERE t.workspace_id = $1 ORDER BY t.seq LIMIT 1`,
    [workspaceId],
  );
  const seed = rows[0] as { team_id: string; priority_id: string; sentiment_id: string; contact_id: string };
  // `flush: false` commits without waiting for the WAL to reach the disk: what the fsync at COMMIT costs.
  const rawCreate = async (title: string, flush = true) => {
    const at = new Date().toISOString();
    const id = newId('ticket');
    await raw.query('BEGIN');
    if (!flush) await raw.query('SET LOCAL synchronous_commit = off');
    const { rows: counted } = await raw.query('UPDATE teams SET ticket_counter = ticket_counter + 1 WHERE id = $1 RETURNING ticket_counter', [seed.team_id]);
    await raw.query(
      `INSERT INTO tickets (id, workspace_id, team_id, number, title, status, priority_id, sentiment_id, contact_id, source, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, 'mcp', $9, $10, $10)`,
      [id, workspaceId, seed.team_id, (counted[0] as { ticket_counter: number }).ticket_counter, title, seed.priority_id, seed.sentiment_id, seed.contact_id, caller.agentId, at],
    );
    await raw.query(`INSERT INTO events (workspace_id, ticket_id, type, actor_id, ticket_version, data, created_at) VALUES ($1, $2, 'created', $3, 1, $4, $5)`, [
      workspaceId,
      id,
      caller.agentId,
      JSON.stringify({ title, status: 'open' }),
      at,
    ]);
    await raw.query('COMMIT');
  };

  const ping: number[] = [];
  const inserts: number[] = [];
  const unflushed: number[] = [];
  const creates: number[] = [];
  const gets: number[] = [];
  const chunk = 50;
  for (let done = 0; done < count + chunk; done += chunk) {
    // The first chunk warms the connections up and is not kept.
    const keep = done >= chunk;
    for (let i = 0; i < chunk; i++) {
      const [, a] = await timed(() => raw.query('SELECT 1'));
      const [, b] = await timed(() => rawCreate(`Floor raw ${done + i}`));
      const [, c] = await timed(() => rawCreate(`Floor unflushed ${done + i}`, false));
      const [, d] = await timed(() => service.createTicket(caller, { title: `Floor service ${done + i}`, requestorEmail: 'floor@example.com' }));
      const [, e] = await timed(() => service.getTicket(caller, { id: first.ticketIdentifier }));
      if (!keep) continue;
      ping.push(a);
      inserts.push(b);
      unflushed.push(c);
      creates.push(d);
      gets.push(e);
    }
  }
  const perCall = async (work: (i: number) => Promise<unknown>) => {
    const sent = await statements(async () => {
      for (let i = 0; i < 20; i++) await work(i);
    });
    return sent.length / 20;
  };
  const trips = {
    createTicket: await perCall((i) => service.createTicket(caller, { title: `Counted ${i}`, requestorEmail: 'floor@example.com' })),
    getTicket: await perCall(() => service.getTicket(caller, { id: first.ticketIdentifier })),
    // A create and a takeover of it, less the create's share.
    createThenTakeover: await perCall(async (i) => {
      const { data: made } = await service.createTicket(caller, { title: `Taken ${i}`, requestorEmail: 'floor@example.com' });
      await service.takeover(caller, { id: made.ticketIdentifier });
    }),
    rawCreate: await perCall((i) => rawCreate(`Counted raw ${i}`)),
  };
  const plans = {
    getTicket: await planned(raw, () => service.getTicket(caller, { id: first.ticketIdentifier }), 21),
    search: await planned(raw, () => service.listTickets(caller, { search: 'service', pageSize: 20 }), 21),
  };
  await raw.end();
  await service.close();
  return { count, ping, inserts, unflushed, creates, gets, plans, trips: { ...trips, takeover: trips.createThenTakeover - trips.createTicket } };
}

/** The floor's rows; `stdioCreates` are create_ticket's times over stdio on PostgreSQL, from the same run. */
export function floorRows(floors: Awaited<ReturnType<typeof floor>>, stdioCreates: number[]): Row[] {
  const section = `PostgreSQL floor: raw pg on one connection against the service in-process (${floors.count} of each, alternating)`;
  const select1 = median(floors.ping);
  const insert = median(floors.inserts);
  const { trips } = floors;
  const p = (values: number[]) => `${us(median(values))} (${us(percentile(values, 0.99))})`;
  log(`postgres: floor SELECT 1 ${us(select1)}, raw insert ${us(insert)} (${us(median(floors.unflushed))} unflushed), getTicket ${us(median(floors.gets))}, createTicket ${us(median(floors.creates))}; round trips ${JSON.stringify(trips)}`);
  return [
    { section, measure: 'SELECT 1 round trip p50 (p99)', value: p(floors.ping), baseline: '—', ratio: null, target: '—' },
    { section, measure: `raw insert, counter + ticket + event in one transaction (${trips.rawCreate} round trips) p50 (p99)`, value: p(floors.inserts), baseline: `SELECT 1: ${us(select1)}`, ratio: insert / select1, target: '—' },
    {
      section,
      measure: 'the same raw insert, COMMIT without waiting for the WAL flush, p50 (p99)',
      value: p(floors.unflushed),
      baseline: `raw insert: ${us(insert)}`,
      ratio: median(floors.unflushed) / insert,
      target: '—',
    },
    { section, measure: 'getTicket in-process (one statement) p50 (p99)', value: p(floors.gets), baseline: `SELECT 1: ${us(select1)}`, ratio: median(floors.gets) / select1, target: '—' },
    { section, measure: 'createTicket in-process p50 (p99)', value: p(floors.creates), baseline: `raw insert: ${us(insert)}`, ratio: median(floors.creates) / insert, target: '—' },
    { section, measure: 'create_ticket over stdio p50', value: us(median(stdioCreates)), baseline: `raw insert: ${us(insert)}`, ratio: median(stdioCreates) / insert, target: '—' },
    { section, measure: 'round trips per createTicket', value: String(trips.createTicket), baseline: `raw insert: ${trips.rawCreate}`, ratio: trips.createTicket / trips.rawCreate, target: '—' },
    { section, measure: 'round trips per getTicket', value: String(trips.getTicket), baseline: 'SELECT 1: 1', ratio: trips.getTicket, target: '—' },
    { section, measure: 'round trips per takeover', value: String(trips.takeover), baseline: 'SELECT 1: 1', ratio: trips.takeover, target: '—' },
    ...(['getTicket', 'search'] as const).flatMap((call) => {
      const { planning, execution, replay } = floors.plans[call];
      const statement = `${call === 'search' ? 'list_tickets search' : call} statement`;
      return [
        { section, measure: `${statement}, planning (EXPLAIN ANALYZE, median of 21)`, value: us(planning), baseline: `its execution: ${us(execution)}`, ratio: planning / execution, target: '—' },
        { section, measure: `${statement} replayed on raw pg, p50 of 21`, value: us(replay), baseline: `SELECT 1: ${us(select1)}`, ratio: replay / select1, target: '—' },
      ];
    }),
  ];
}
