import pg from 'pg';
import { historyChecks, offendersFinding, OFFENDERS_SHOWN, TICKET_KEY, type DoctorDialect } from '../doctor-checks.js';
import type { Finding } from '../finding.js';
import { unavailable } from '../../errors.js';
import { redactUrl } from '../url.js';
import { postgresMigrations } from './schema.js';

/**
 * `ticket-mcp doctor` on PostgreSQL: the invariants of src/doctor.ts, in PostgreSQL's SQL.
 * The server keeps its pages and constraints itself, so the structural checks look for
 * what can still go wrong around it: an index left invalid, a trigger disabled, rows
 * written with foreign keys off (session_replication_role = replica). The full-text check
 * has nothing to compare: search reads generated columns, which cannot drift from the text.
 */

type Query = pg.ClientBase;

const POSTGRES: DoctorDialect = {
  json: (column, path) => `${column}::json #>> '{${path.join(',')}}'`,
  distinctList: (expr) => `array_to_string(array_agg(DISTINCT ${expr} ORDER BY ${expr}) FILTER (WHERE ${expr} IS NOT NULL), ',')`,
};

/** Runs a query listing offenders (rows with a `key` and a `why`); none means the check passed. */
async function offenders(client: Query, check: string, what: string, text: string): Promise<Finding> {
  try {
    const { rows } = await client.query<{ key: string; why: string }>(`${text} LIMIT ${OFFENDERS_SHOWN + 1}`);
    return offendersFinding(check, what, rows);
  } catch (error) {
    return { check, ok: false, detail: `the check could not run: ${(error as Error).message}` };
  }
}

const OF_TICKET = 'tickets t';
const ROWS_OF = (table: string) => `${table} x JOIN tickets t ON t.id = x.ticket_id`;

/**
 * What a ticket points to or holds, each of which must be in the ticket's workspace:
 * [what, rows, the reference (none: the row's own workspace_id), the table it names, may be null].
 */
const WORKSPACE_LINKS: [string, string, string | undefined, string | undefined, boolean][] = [
  ['team', OF_TICKET, 't.team_id', 'teams', false],
  ['priority', OF_TICKET, 't.priority_id', 'priorities', false],
  ['sentiment', OF_TICKET, 't.sentiment_id', 'sentiments', false],
  ['type', OF_TICKET, 't.type_id', 'ticket_types', true],
  ['account', OF_TICKET, 't.account_id', 'accounts', true],
  ['assignee', OF_TICKET, 't.assignee_id', 'agents', true],
  ['requestor', OF_TICKET, 't.contact_id', 'contacts', false],
  ['event', ROWS_OF('events'), undefined, undefined, false],
  ['event actor', ROWS_OF('events'), 'x.actor_id', 'agents', false],
  ['comment', ROWS_OF('comments'), undefined, undefined, false],
  ['comment author', ROWS_OF('comments'), 'x.author_id', 'agents', false],
  ['tagging', ROWS_OF('ticket_tags'), undefined, undefined, false],
  ['tag', ROWS_OF('ticket_tags'), 'x.tag_id', 'tags', false],
];

/** Indexes a failed build left invalid, and disabled triggers (the events table's append-only guard). */
async function integrity(client: Query): Promise<Finding> {
  const { rows } = await client.query<{ what: string }>(
    `SELECT 'index ' || c.relname || ' not valid' AS what FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready AND i.indislive)
     UNION ALL
     SELECT 'trigger ' || tg.tgname || ' disabled' FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND NOT tg.tgisinternal AND tg.tgenabled = 'D'
     ORDER BY 1`,
  );
  if (rows.length > 0) return { check: 'integrity', ok: false, detail: rows.slice(0, OFFENDERS_SHOWN).map((r) => r.what).join('; ') };
  return { check: 'integrity', ok: true, detail: 'every index valid, every trigger enabled (pages are the server’s to check: data checksums, amcheck)' };
}

interface ForeignKey {
  child: string;
  parent: string;
  columns: string[];
  parentColumns: string[];
}

/** Every foreign key of the schema, checked row by row: PostgreSQL enforces them, unless a session switched them off. */
async function foreignKeys(client: Query): Promise<Finding> {
  const { rows: keys } = await client.query<ForeignKey>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
            array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
            array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS "parentColumns"
     FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
     ORDER BY c.conrelid::regclass::text, c.conname`,
  );
  let orphans = 0;
  let first: ForeignKey | undefined;
  for (const key of keys) {
    const quote = (name: string) => client.escapeIdentifier(name);
    const set = key.columns.map((c) => `c.${quote(c)} IS NOT NULL`).join(' AND ');
    const match = key.columns.map((c, i) => `p.${quote(key.parentColumns[i]!)} = c.${quote(c)}`).join(' AND ');
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${key.child} c WHERE ${set} AND NOT EXISTS (SELECT 1 FROM ${key.parent} p WHERE ${match})`,
    );
    if (rows[0]!.n > 0) first ??= key;
    orphans += rows[0]!.n;
  }
  return {
    check: 'foreign keys',
    ok: orphans === 0,
    detail: first ? `${orphans} rows point nowhere, e.g. ${first.child} → ${first.parent}` : 'every reference resolves',
  };
}

/** The applied migrations (schema_migrations, PostgreSQL's user_version); 0 when there are none. */
async function schemaVersion(client: Query): Promise<Finding> {
  const latestVersion = postgresMigrations.at(-1)!.version;
  const { rows } = await client.query<{ found: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS found`);
  const version = rows[0]!.found ? (await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations')).rows[0]!.v : 0;
  return { check: 'schema version', ok: version === latestVersion, detail: `${version} (this ticket-mcp knows ${latestVersion})` };
}

/** Both search vectors are generated from the text, and their GIN indexes are in place. */
const fullTextIndex = (client: Query) =>
  offenders(
    client,
    'full-text index',
    "ticket's and comment's search vector is generated from its text (so it cannot drift from it), and GIN-indexed",
    `SELECT v.tbl AS key, CASE WHEN a.attgenerated IS DISTINCT FROM 's' THEN 'search_vector is not a generated column'
                               ELSE 'no valid index ' || v.idx END AS why
     FROM (VALUES ('tickets', 'tickets_search'), ('comments', 'comments_search')) v (tbl, idx)
     LEFT JOIN pg_attribute a ON a.attrelid = to_regclass(v.tbl) AND a.attname = 'search_vector' AND NOT a.attisdropped
     LEFT JOIN pg_index i ON i.indexrelid = to_regclass(v.idx)
     WHERE a.attgenerated IS DISTINCT FROM 's' OR i.indisvalid IS NOT TRUE`,
  );

/**
 * Checks the database `client` reads against the invariants the service keeps. Reads
 * only; run it inside one REPEATABLE READ transaction for a consistent answer
 * (examinePostgresUrl does).
 */
export async function examinePostgres(client: Query): Promise<Finding[]> {
  const findings = [await integrity(client), await foreignKeys(client), await schemaVersion(client)];
  if (!findings.every((f) => f.ok)) return findings;
  const checks: [string, string, string][] = [
    ...historyChecks(POSTGRES),
    [
      'workspaces',
      'ticket and everything it points to or holds (team, lookups, people, tags, comments, events) share one workspace',
      // Joins rather than SQLite's scalar subqueries per row: PostgreSQL hashes each side once (9 s → under 2 s at 100k tickets).
      `SELECT ${TICKET_KEY} AS key, 'its ' || x.what || ' belongs to another workspace' AS why
       FROM (${WORKSPACE_LINKS.map(
         ([what, from, ref, table, nullable]) =>
           `SELECT t.id AS ticket_id, '${what}' AS what FROM ${from}${ref ? ` LEFT JOIN ${table} r ON r.id = ${ref}` : ''}
            WHERE ${nullable ? `${ref} IS NOT NULL AND ` : ''}${ref ? 'r.workspace_id' : 'x.workspace_id'} IS DISTINCT FROM t.workspace_id`,
       ).join('\n             UNION ALL ')}) x
       JOIN tickets t ON t.id = x.ticket_id`,
    ],
  ];
  for (const [check, what, text] of checks) findings.push(await offenders(client, check, what, text));
  findings.push(await fullTextIndex(client));
  return findings;
}

/**
 * Connects to `url` and examines it in one read-only snapshot; also counts its tickets
 * when the schema is there. Never migrates or writes. A server that cannot be reached is
 * UNAVAILABLE, named without its password.
 */
export async function examinePostgresUrl(url: string): Promise<{ findings: Finding[]; tickets?: number }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: 'ticket-mcp doctor' });
  client.on('error', () => {}); // a lost connection fails the query under way, which says so
  try {
    await client.connect();
  } catch (error) {
    throw unavailable(`Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, {
      hint: 'Check the URL (--db or TICKETS_DB), that the server is running and that the database exists.',
    });
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const findings = await examinePostgres(client);
    const schemaOk = findings.find((f) => f.check === 'schema version')?.ok;
    const tickets = schemaOk ? (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets')).rows[0]!.n : undefined;
    await client.query('ROLLBACK');
    return { findings, ...(tickets !== undefined && { tickets }) };
  } finally {
    await client.end().catch(() => {});
  }
}
