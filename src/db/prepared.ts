import { sql, type Compilable, type CompiledQuery, type QueryResult, type RawBuilder } from 'kysely';
import type { Db } from './engine.js';

/**
 * Kysely queries compiled once per shape. Building and compiling a query with Kysely
 * takes longer (~30 µs for a join) than SQLite takes to run it from a prepared
 * statement, so each query is built once with placeholders for its parameters; later
 * runs only put the values in. The SQL text is then the same every time, and the
 * statement cache of db/connections.ts keeps it prepared.
 *
 * A builder must pass its parameters to Kysely untouched (no `p.name.trim()` inside):
 * each is recognised by its placeholder. The shape names a query's structure: a
 * builder whose SQL varies (optional filters, lists) runs under one shape per variant.
 * Templates are kept per engine (by the handle's dialect adapter): one shape compiles to
 * each engine's own SQL.
 */
const PLACEHOLDER = '\u0000ticket-mcp-parameter:';

interface Template {
  query: CompiledQuery;
  /** For each compiled parameter: the name of the value it takes, or undefined for a constant. */
  slots: (string | undefined)[];
}

const templatesByAdapter = new Map<Function, Map<string, Template>>();

function templatesOf(db: Db): Map<string, Template> {
  const adapter = db.getExecutor().adapter.constructor;
  let templates = templatesByAdapter.get(adapter);
  if (!templates) templatesByAdapter.set(adapter, (templates = new Map()));
  return templates;
}

function compile<P extends object>(db: Db, build: (db: Db, p: P) => Compilable<unknown>): Template {
  const placeholders = new Proxy({}, { get: (_target, name) => `${PLACEHOLDER}${String(name)}` }) as P;
  const query = build(db, placeholders).compile();
  const slots = query.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(PLACEHOLDER) ? value.slice(PLACEHOLDER.length) : undefined,
  );
  return { query, slots };
}

/** Runs the query of `shape` with `params`, compiling it on its engine's first run; the whole result (rows, rows affected). */
export async function executePrepared<P extends object, R>(
  db: Db,
  shape: string,
  params: P,
  build: (db: Db, p: P) => Compilable<R>,
): Promise<QueryResult<R>> {
  const templates = templatesOf(db);
  let template = templates.get(shape);
  if (!template) {
    template = compile(db, build);
    templates.set(shape, template);
  }
  const { query, slots } = template;
  const values = params as Record<string, unknown>;
  const parameters = query.parameters.map((constant, i) => {
    const name = slots[i];
    return name === undefined ? constant : values[name];
  });
  return db.executeQuery<R>({ ...query, parameters });
}

export async function runPrepared<P extends object, R>(
  db: Db,
  shape: string,
  params: P,
  build: (db: Db, p: P) => Compilable<R>,
): Promise<R[]> {
  return (await executePrepared(db, shape, params, build)).rows as R[];
}

/** A query of one fixed shape, ready to run with its parameters. */
export function prepared<P extends object, R>(shape: string, build: (db: Db, p: P) => Compilable<R>) {
  return (db: Db, params: P): Promise<R[]> => runPrepared(db, shape, params, build);
}

/**
 * A LIMIT that keeps its statement prepared: `.limit(stableLimit(n))`. SQLite reads a
 * bare `LIMIT ?` when it prepares a statement, so binding that parameter again expires
 * the statement and every run pays for a fresh prepare (measured: a list page 78 µs
 * against 57, get_ticket's comments 80 µs against 15). `? + 0` is an expression, not a
 * bare parameter, and leaves the statement as it is.
 */
export const stableLimit = (rows: number): RawBuilder<number> => sql<number>`${rows} + 0`;
