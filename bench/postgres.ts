import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { redactUrl } from '../src/db/url.js';
import { BIN, connect, log, median, percentile, us, type Row } from './harness.js';
import { rounds } from './latency.js';
import { floor, floorRows } from './pg-floor.js';

/**
 * The same measures on PostgreSQL, each against a baseline taken in this run: per-call
 * latency over stdio against ping (and against SQLite's), create throughput with 1, 2
 * and 4 server processes on one database, and the floor under a create: the raw `pg`
 * round trip and a raw `pg` insert of the rows a create writes. The section makes its
 * own database on TICKETS_BENCH_PG_URL and drops it; with no server it is skipped.
 */
const ADMIN_URL = process.env.TICKETS_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on `url` (the admin database unless told). */
export async function admin(text: string, url = ADMIN_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
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
  const envelope = result.structuredContent as { status: boolean; message: string; error?: { code: string } };
  if (!envelope.status) throw new Error(`${name}: ${envelope.error?.code} ${envelope.message}`);
  return result;
}

/** Creates per second from `processes` server processes on one database: one client each, all at once, each awaiting every answer. */
async function createRate(db: string, processes: number, creates: number): Promise<number> {
  const servers = await Promise.all(Array.from({ length: processes }, () => startBin(db)));
  const createIn = (server: Server, i: number) => call(server, 'create_ticket', { title: `Rate ${processes}×${i}`, requestorEmail: `r${i % 20}@example.com` });
  // Warm-up: each process's connections, caches and JIT.
  await Promise.all(
    servers.map(async (server) => {
      for (let i = 0; i < 20; i++) await createIn(server, i);
    }),
  );
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

/**
 * Runs `work` on a database of its own on TICKETS_BENCH_PG_URL's server, dropped after;
 * with no server there, says so once (as `section`) and gives [].
 */
export async function onPgDatabase(section: string, work: (url: string) => Promise<Row[]>): Promise<Row[]> {
  try {
    await admin('SELECT 1');
  } catch (error) {
    log(`${section}: SKIPPED, no server at ${redactUrl(ADMIN_URL)} (${error instanceof Error ? error.message : String(error)}); set TICKETS_BENCH_PG_URL`);
    return [];
  }
  const name = `ticket_mcp_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await admin(`CREATE DATABASE ${name}`);
  try {
    return await work(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export async function benchPostgres(count: number, creates: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-mcp-bench-pg-'));
  try {
    return await onPgDatabase('postgres', (url) => measure(url, join(dir, 'sqlite.db'), count, creates));
  } finally {
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
  rows.push(...floorRows(floors, pgSamples.create_ticket!));
  return rows;
}
