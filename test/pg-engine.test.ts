import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { DomainError } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { openPostgres, type OpenPostgres } from '../src/db/postgres/open.js';
import { isRetryablePgError, withPgRetry } from '../src/db/postgres/retry.js';
import { pgReadTransaction, pgWriteTransaction } from '../src/db/postgres/transaction.js';
import { createTestDatabase, describePg, type TestDatabase } from './pg.js';
import { insertTicket, seedWorkspace } from './pg-seed.js';

/** What a failure is, as the service's envelope would show it. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof DomainError ? `${error.code}: ${error.message}` : `raw ${(error as { code?: string }).code}`),
  );

describePg('PostgreSQL engine: pool, retries, transactions', () => {
  let database: TestDatabase;
  let opened: OpenPostgres;
  const logged: string[] = [];
  const raw = (text: string, values: unknown[] = []) => opened.pool.query(text, values);
  const terminate = (pid: number) => raw('SELECT pg_terminate_backend($1)', [pid]);
  const backendPid = async (trx: OpenPostgres['db']) => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]!.pid;

  beforeAll(async () => {
    database = await createTestDatabase();
    opened = await openPostgres(database.url, { poolSize: 4, log: createLogger('warn', (line) => logged.push(line) > 0) });
    await raw('CREATE TABLE pairs (id integer PRIMARY KEY, v integer NOT NULL); INSERT INTO pairs VALUES (1, 0), (2, 0)');
    await raw('CREATE TABLE notes (body text NOT NULL)');
  });
  afterAll(async () => {
    await opened?.close();
    await database?.drop();
  });

  it('retries a deadlock: both transactions commit, each once', async () => {
    const retried: unknown[] = [];
    let arrived = 0;
    const bothLocked = new Promise<void>((resolve) => {
      const check = setInterval(() => arrived >= 2 && (clearInterval(check), resolve()), 5);
    });
    const crossing = (first: number, second: number) =>
      pgWriteTransaction(
        opened.db,
        async (trx) => {
          await sql`UPDATE pairs SET v = v + 1 WHERE id = ${first}`.execute(trx);
          if (++arrived <= 2) await bothLocked; // first attempts only: lock one row each, then cross
          await sql`UPDATE pairs SET v = v + 1 WHERE id = ${second}`.execute(trx);
        },
        { onRetry: (error) => retried.push(error) },
      );
    await Promise.all([crossing(1, 2), crossing(2, 1)]);
    expect(retried.map((e) => (e as { code: string }).code)).toEqual(['40P01']);
    expect((await raw('SELECT id, v FROM pairs ORDER BY id')).rows).toEqual([{ id: 1, v: 2 }, { id: 2, v: 2 }]);
  });

  it('numbers tickets from the team counter with no gap or duplicate, and keeps one live ticket per chat, under concurrent writers', async () => {
    const ws = await seedWorkspace(opened.db, 'concurrent');
    const create = (chatId?: string) =>
      pgWriteTransaction(opened.db, async (trx) => {
        const id = await insertTicket(trx, ws, { title: 'Race' });
        if (chatId) await trx.updateTable('tickets').set({ chat_id: chatId }).where('id', '=', id).execute();
        return id;
      });
    await Promise.all(Array.from({ length: 40 }, () => create()));
    const numbers = await opened.db.selectFrom('tickets').select('number').where('workspace_id', '=', ws.id).orderBy('number').execute();
    expect(numbers.map((r) => r.number)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

    const chat = await Promise.allSettled(Array.from({ length: 6 }, () => create('chat-7')));
    expect(chat.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of chat.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: '23505', constraint: 'tickets_one_live_per_chat' });
    }
    // The losers' counter bumps rolled back with them: still no gap.
    const after = await opened.db.selectFrom('tickets').select((eb) => eb.fn.max('number').as('top')).where('workspace_id', '=', ws.id).executeTakeFirstOrThrow();
    expect(after.top).toBe(41);
  });

  it('runs a transaction again when its connection is lost before COMMIT, and the process survives', async () => {
    let attempts = 0;
    const answer = await pgWriteTransaction(opened.db, async (trx) => {
      attempts++;
      await sql`INSERT INTO notes VALUES (${`attempt ${attempts}`})`.execute(trx);
      if (attempts === 1) {
        await terminate(await backendPid(trx));
        await sleep(200); // the connection fails while checked out and between queries
      }
      return attempts;
    });
    expect(answer).toBe(2);
    expect((await raw('SELECT body FROM notes')).rows).toEqual([{ body: 'attempt 2' }]);
  });

  it('answers UNAVAILABLE, without running it again, when the connection is lost during COMMIT', async () => {
    // A deferred trigger holds COMMIT in flight for a second, time to cut its connection.
    await raw(`CREATE TABLE slow_commit (x integer);
      CREATE FUNCTION linger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER linger AFTER INSERT ON slow_commit DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION linger();`);
    let attempts = 0;
    const write = outcome(
      pgWriteTransaction(opened.db, async (trx) => {
        attempts++;
        await sql`INSERT INTO slow_commit VALUES (1)`.execute(trx);
      }),
    );
    for (let i = 0; i < 100; i++) {
      const { rows } = await raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'COMMIT' AND state = 'active'`);
      if (rows[0]) {
        await terminate(rows[0].pid);
        break;
      }
      await sleep(20);
    }
    expect(await write).toMatch(/^UNAVAILABLE: The connection to the database was lost while saving; the change may or may not have been saved/);
    expect(attempts).toBe(1);
  });

  it('maps what no retry fixes: read-only → UNAVAILABLE, NUL → VALIDATION_ERROR, disk full → UNAVAILABLE; a unique violation passes through', async () => {
    const insert = (body: string) => pgWriteTransaction(opened.db, (trx) => sql`INSERT INTO notes VALUES (${body})`.execute(trx));
    expect(await outcome(insert('a\0b'))).toMatch(/^VALIDATION_ERROR: Text contains a NUL character/);
    expect(await outcome(withPgRetry(() => Promise.reject(Object.assign(new Error('disk full'), { code: '53100' }))))).toMatch(/^UNAVAILABLE: .*out of disk space/);
    expect(await outcome(pgWriteTransaction(opened.db, (trx) => sql`INSERT INTO pairs VALUES (1, 0)`.execute(trx)))).toBe('raw 23505');

    const standby = await openPostgres(database.url, { poolSize: 1 });
    onTestFinished(() => standby.close());
    await sql`SET default_transaction_read_only = on`.execute(standby.db);
    expect(await outcome(pgWriteTransaction(standby.db, (trx) => sql`INSERT INTO notes VALUES ('x')`.execute(trx)))).toMatch(/^UNAVAILABLE: The database is read-only/);
    // Reads still work there, from one snapshot.
    expect(await pgReadTransaction(standby.db, async (trx) => (await sql<{ n: number }>`SELECT count(*) AS n FROM pairs`.execute(trx)).rows)).toEqual([{ n: 2 }]);
  });

  it('classifies real failures: serialization and lost connections are retried, constraint violations are not', async () => {
    const a = await opened.pool.connect();
    const b = await opened.pool.connect();
    const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
    try {
      await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM pairs');
      await b.query('UPDATE pairs SET v = v + 1 WHERE id = 1');
      const serialization = await failure(a.query('UPDATE pairs SET v = v + 1 WHERE id = 1'));
      expect(serialization).toMatchObject({ code: '40001' });
      expect(isRetryablePgError(serialization)).toBe(true);
      await a.query('ROLLBACK');
      expect(isRetryablePgError(await failure(b.query('INSERT INTO pairs VALUES (1, 0)')))).toBe(false);
      await terminate((await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      const lost = await failure(a.query('SELECT 1'));
      expect(isRetryablePgError(lost)).toBe(true);
    } finally {
      a.release(true);
      b.release();
    }
    const nowhere = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 1000 });
    onTestFinished(() => nowhere.end());
    const refused = await failure(nowhere.query('SELECT 1'));
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isRetryablePgError(refused)).toBe(true);
    expect(await outcome(withPgRetry(() => nowhere.query('SELECT 1'), { deadlineMs: 200 }))).toMatch(/^UNAVAILABLE: Cannot reach the PostgreSQL server/);
    expect(await outcome(withPgRetry(() => Promise.reject(serialization40001()), { deadlineMs: 200 }))).toMatch(/^BUSY: The database stayed busy/);
  });

  it('logs an idle connection that dies, keeps running, and opens another', async () => {
    await Promise.all([raw('SELECT pg_sleep(0.05)'), raw('SELECT pg_sleep(0.05)')]); // two connections, now idle in the pool
    const outside = new pg.Client({ connectionString: database.url });
    await outside.connect();
    const { rows } = await outside.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ticket-mcp'`,
    );
    await outside.end();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // Each idle connection hears of its end on its own, a moment later.
    for (let i = 0; i < 100 && logged.length < rows.length; i++) await sleep(20);
    expect(logged.length).toBeGreaterThanOrEqual(rows.length);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 'error', msg: expect.stringContaining('idle PostgreSQL connection failed'), db: database.url });
    // A dead connection the pool still held would fail its first query; the transaction retries it.
    const count = await pgReadTransaction(opened.db, async (trx) => (await sql<{ n: number }>`SELECT count(*) AS n FROM pairs`.execute(trx)).rows);
    expect(count).toEqual([{ n: 2 }]);
  });

  it('fails to start with the server named and the password hidden', async () => {
    const failure = await openPostgres('postgres://alice:s3cret@127.0.0.1:1/none', { connectionTimeoutMs: 1000 }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(/^PostgreSQL at postgres:\/\/alice:\*\*\*@127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
    expect((failure as Error).message).not.toContain('s3cret');
  });
});

const serialization40001 = () => Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
