import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresEngine } from '../src/db/postgres/engine.js';
import { redactUrl } from '../src/db/url.js';
import { newId } from '../src/service/context.js';
import { TicketService } from '../src/service/service.js';
import { BIN, connect, log, median, percentile, timed, us, type Row } from './harness.js';
import { rounds } from './latency.js';

/**
 * The same measures on PostgreSQL, each against a baseline taken in this run: per-call
 * latency over stdio against ping (and against SQLite's), create throughput with 1, 2
 * and 4 server processes on one database, and the floor under a create: the raw `pg`
 * round trip and a raw `pg` insert of the rows a create writes. The section makes its
 * own database on TICKETS_BENCH_PG_URL and drops it; with no server it is skipped.
 */
const ADMIN_URL = process.env.TICKETS_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {}); // a failure surfaces through connect() or query()
  try {
    await client.connect();
    await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

type Server = Awaited<ReturnType<typeof connect>>;
const startBin = (db: string) => connect(process.execPath, [BIN, '--db', db, '--log-level', 'warn']);

/** A tool call that must succeed: a failed envelope would otherwise be timed as a fast call. */
async function call(server: Server, name: string, args: Record<string, unknown>) {
  const result = await server.client.callTool({ name, arguments: args });
  const envelope = result.structuredContent as { status: boolean; error?: { code: string; message: string } };
  if (!envelope.status) throw new Error(`${name}: ${envelope.error?.code} ${envelope.error?.message}`);
  return result;
}

/** Creates per second from `processes` server processes on one database, each client calling in turn. */
async function createRate(db: string, processes: number, creates: number): Promise<number> {
  const servers = await Promise.all(Array.from({ length: processes }, () => startBin(db)));
  const createIn = (server: Server, i: number) => call(server, 'create_ticket', { title: `Rate ${processes}×${i}`, requestorEmail: `r${i % 20}@example.com` });
  // Warm-up: each process's connections, prepared statements and JIT.
  await Promise.all(servers.map(async (server) => { for (let i = 0; i < 20; i++) await createIn(server, i); }));
  const started = performance.now();
  await Promise.all(
    servers.map(async (server, k) => {
      for (let i = k; i < creates; i += processes) await createIn(server, i);
    }),
  );
  const rate = creates / ((performance.now() - started) / 1000);
  await Promise.all(servers.map((server) => server.close()));
  return rate;
}

/** Statements sent to the server by every pg client of this process, counted while `work` runs. */
async function roundTrips(work: () => Promise<unknown>): Promise<number> {
  const query = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    count++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return count;
}

/**
 * In-process, on one connection each, taking turns: SELECT 1, a raw transaction writing
 * what a create writes (counter, ticket, event: BEGIN + 3 + COMMIT = 5 round trips), the
 * same without waiting for the WAL flush, and the service's createTicket and getTicket;
 * then the statements each service call sends.
 */
async function floor(url: string, count: number) {
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
      if (keep) ping.push(a), inserts.push(b), unflushed.push(c), creates.push(d), gets.push(e);
    }
  }
  const perCall = async (work: (i: number) => Promise<unknown>) => (await roundTrips(async () => { for (let i = 0; i < 20; i++) await work(i); })) / 20;
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
  await raw.end();
  await service.close();
  return { ping, inserts, unflushed, creates, gets, trips: { ...trips, takeover: trips.createThenTakeover - trips.createTicket } };
}

export async function benchPostgres(count: number, creates: number): Promise<Row[]> {
  try {
    await admin('SELECT 1');
  } catch (error) {
    log(`postgres: SKIPPED, no server at ${redactUrl(ADMIN_URL)} (${error instanceof Error ? error.message : String(error)}); set TICKETS_BENCH_PG_URL`);
    return [];
  }
  const name = `ticket_mcp_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-pg-'));
  await admin(`CREATE DATABASE ${name}`);
  try {
    return await measure(url.toString(), join(dir, 'sqlite.db'), count, creates);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(pgUrl: string, sqlitePath: string, count: number, creates: number): Promise<Row[]> {
  const latency: Record<string, Record<string, number[]>> = {};
  for (const [engine, db] of [['SQLite', sqlitePath], ['PostgreSQL', pgUrl]] as const) {
    const server = await startBin(db);
    latency[engine] = await rounds(() => server.client.ping(), (name, args) => call(server, name, args), count);
    await server.close();
  }
  const rates: Record<string, number[]> = { SQLite: [], PostgreSQL: [] };
  for (const processes of [1, 2, 4]) {
    for (const [engine, db] of [['SQLite', sqlitePath], ['PostgreSQL', pgUrl]] as const) {
      const rate = await createRate(db, processes, creates);
      log(`postgres: create throughput ${engine}, ${processes} process(es): ${rate.toFixed(0)}/s`);
      rates[engine]!.push(rate);
    }
  }
  const floors = await floor(pgUrl, count);

  const rows: Row[] = [];
  const pgSamples = latency.PostgreSQL!;
  const sqliteSamples = latency.SQLite!;
  let section = `PostgreSQL: per-call latency over stdio (${count} rounds, one connection to the published bin, local server)`;
  const pgPing = median(pgSamples.ping!);
  for (const [name, values] of Object.entries(pgSamples)) {
    const p50 = median(values);
    log(`postgres: latency ${name}: p50 ${us(p50)}, p99 ${us(percentile(values, 0.99))}; SQLite p50 ${us(median(sqliteSamples[name]!))}`);
    rows.push({
      section,
      measure: `${name} p50 (p99)`,
      value: `${us(p50)} (${us(percentile(values, 0.99))})`,
      baseline: name === 'ping' ? '—' : `ping p50: ${us(pgPing)}`,
      ratio: name === 'ping' ? null : p50 / pgPing,
      target: '—',
    });
  }
  section = 'PostgreSQL against SQLite: the same rounds over stdio, same run (p50)';
  for (const [name, values] of Object.entries(pgSamples)) {
    const sqlite = median(sqliteSamples[name]!);
    rows.push({ section, measure: `${name} on PostgreSQL`, value: us(median(values)), baseline: `SQLite: ${us(sqlite)}`, ratio: median(values) / sqlite, target: '—' });
  }
  section = `Create throughput over stdio, N server processes on one database (${creates} creates, one client per process)`;
  for (const engine of ['SQLite', 'PostgreSQL'] as const) {
    [1, 2, 4].forEach((processes, k) => {
      const rate = rates[engine]![k]!;
      rows.push({
        section,
        measure: `${engine}, ${processes} process${processes > 1 ? 'es' : ''}`,
        value: `${rate.toFixed(0)}/s`,
        baseline: `${engine}, 1 process: ${rates[engine]![0]!.toFixed(0)}/s`,
        ratio: rate / rates[engine]![0]!,
        target: '—',
      });
    });
  }
  [1, 2, 4].forEach((processes, k) =>
    rows.push({
      section,
      measure: `PostgreSQL / SQLite, ${processes} process${processes > 1 ? 'es' : ''}`,
      value: `${rates.PostgreSQL![k]!.toFixed(0)}/s`,
      baseline: `SQLite: ${rates.SQLite![k]!.toFixed(0)}/s`,
      ratio: rates.PostgreSQL![k]! / rates.SQLite![k]!,
      target: '—',
    }),
  );
  section = `PostgreSQL floor: raw pg on one connection against the service in-process (${count} of each, alternating)`;
  const select1 = median(floors.ping);
  const insert = median(floors.inserts);
  const { trips } = floors;
  const p = (values: number[]) => `${us(median(values))} (${us(percentile(values, 0.99))})`;
  log(`postgres: floor SELECT 1 ${us(select1)}, raw insert ${us(insert)} (${us(median(floors.unflushed))} unflushed), getTicket ${us(median(floors.gets))}, createTicket ${us(median(floors.creates))}; round trips ${JSON.stringify(trips)}`);
  rows.push(
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
    { section, measure: 'create_ticket over stdio p50', value: us(median(pgSamples.create_ticket!)), baseline: `raw insert: ${us(insert)}`, ratio: median(pgSamples.create_ticket!) / insert, target: '—' },
    { section, measure: 'round trips per createTicket', value: String(trips.createTicket), baseline: `raw insert: ${trips.rawCreate}`, ratio: trips.createTicket / trips.rawCreate, target: '—' },
    { section, measure: 'round trips per getTicket', value: String(trips.getTicket), baseline: 'SELECT 1: 1', ratio: trips.getTicket, target: '—' },
    { section, measure: 'round trips per takeover', value: String(trips.takeover), baseline: 'SELECT 1: 1', ratio: trips.takeover, target: '—' },
  );
  return rows;
}
