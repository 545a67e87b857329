import { readFileSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import ts from 'typescript';
import { tablesFile } from '../scripts/gen-db-types.js';

/**
 * The shape of a schema as the service sees it, read three ways so they can be compared:
 * from the Kysely types (src/db/tables.ts), from a SQLite database's catalog and from a
 * PostgreSQL database's catalog.
 */
export interface ColumnShape {
  type: 'number' | 'string';
  nullable: boolean;
  /** Kysely's Generated<>: the database fills it when an insert leaves it out. */
  generated: boolean;
  /** The values a CHECK allows (Kysely: a union of string literals). */
  values?: string[];
}
export type SchemaShape = Record<string, Record<string, ColumnShape>>;

/** Kysely's table types, parsed with the TypeScript compiler rather than read by pattern. */
export function kyselyShape(): SchemaShape {
  const source = ts.createSourceFile(tablesFile, readFileSync(tablesFile, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map(source.statements.filter(ts.isInterfaceDeclaration).map((i) => [i.name.text, i]));
  const shape: SchemaShape = {};
  for (const table of interfaces.get('Tables')!.members.filter(ts.isPropertySignature)) {
    const columns = interfaces.get(table.type!.getText())!.members.filter(ts.isPropertySignature);
    shape[table.name.getText()] = Object.fromEntries(columns.map((c) => [c.name.getText(), columnOf(c.type!)]));
  }
  return shape;
}

function columnOf(node: ts.TypeNode): ColumnShape {
  let generated = false;
  if (ts.isTypeReferenceNode(node) && node.typeName.getText() === 'Generated') {
    generated = true;
    node = node.typeArguments![0]!;
  }
  const members = ts.isUnionTypeNode(node) ? [...node.types] : [node];
  const isNull = (t: ts.TypeNode) => ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword;
  const literals = members.filter((t): t is ts.LiteralTypeNode => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal));
  const values = literals.map((t) => (t.literal as ts.StringLiteral).text);
  const type = members.some((t) => t.kind === ts.SyntaxKind.NumberKeyword) ? 'number' : 'string';
  return { type, nullable: members.some(isNull), generated, ...(values.length > 0 ? { values: values.sort() } : {}) };
}

interface SqliteColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

/** Tables and columns from PRAGMA table_info; an INTEGER PRIMARY KEY is the rowid: never null, filled in. */
export function sqliteShape(raw: BetterSqlite3.Database): SchemaShape {
  const tables = raw
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all() as { name: string; sql: string }[];
  const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
  const shape: SchemaShape = {};
  for (const { name } of tables.filter((t) => !virtual.some((v) => t.name.startsWith(`${v}_`)))) {
    const columns = raw.pragma(`table_info(${name})`) as SqliteColumn[];
    shape[name] = Object.fromEntries(
      columns.map((c) => {
        const rowid = c.pk === 1 && c.type === 'INTEGER';
        const type = c.type === 'INTEGER' ? 'number' : 'string';
        return [c.name, { type, nullable: c.notnull === 0 && !rowid, generated: rowid || c.dflt_value !== null }];
      }),
    );
  }
  return shape;
}

interface PgColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
}

const PG_TYPES: Record<string, ColumnShape['type']> = { integer: 'number', bigint: 'number', text: 'string' };

/**
 * Tables and columns from information_schema. Generated columns (the tsvectors) are
 * derived from others and never written or read as values, so they are left out, and so is
 * `rowid`, SQLite's implicit column made explicit where the service reads it (SQLite's
 * table_info does not list it either). A column of another type than integer, bigint or
 * text shows as its own name and fails the comparison.
 */
export async function postgresShape(pool: pg.Pool): Promise<SchemaShape> {
  const { rows } = await pool.query<PgColumn>(`
    SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default, c.is_identity, c.is_generated
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name, c.ordinal_position`);
  const checks = await checkedValues(pool);
  const shape: SchemaShape = {};
  for (const c of rows.filter((r) => r.is_generated === 'NEVER' && r.column_name !== 'rowid')) {
    const values = checks.get(`${c.table_name}.${c.column_name}`);
    (shape[c.table_name] ??= {})[c.column_name] = {
      type: PG_TYPES[c.data_type] ?? (c.data_type as ColumnShape['type']),
      nullable: c.is_nullable === 'YES',
      generated: c.column_default !== null || c.is_identity === 'YES',
      ...(values ? { values } : {}),
    };
  }
  return shape;
}

/** `CHECK ((kind = ANY (ARRAY['human'::text, 'ai'::text])))` → kind: ['ai', 'human']. */
async function checkedValues(pool: pg.Pool): Promise<Map<string, string[]>> {
  const { rows } = await pool.query<{ table_name: string; def: string }>(`
    SELECT conrelid::regclass::text AS table_name, pg_get_constraintdef(oid) AS def
    FROM pg_constraint WHERE contype = 'c' AND connamespace = current_schema()::regnamespace`);
  const values = new Map<string, string[]>();
  for (const { table_name, def } of rows) {
    const match = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(def);
    const literals = [...(match?.[2] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    if (literals.length > 0) values.set(`${table_name}.${match![1]}`, literals.sort());
  }
  return values;
}

/** Keys and indexes, each as one comparable line: `p tickets(seq)`, `f tickets(team_id) → teams(id)`, `i …`. */
export function sqliteKeys(raw: BetterSqlite3.Database, tables: string[]): string[] {
  const lines: string[] = [];
  for (const table of tables) {
    const columns = raw.pragma(`table_info(${table})`) as SqliteColumn[];
    const pk = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    if (pk.length > 0) lines.push(`p ${table}(${pk.join(', ')})`);
    for (const index of raw.pragma(`index_list(${table})`) as { name: string; unique: number; origin: string; partial: number }[]) {
      const cols = (raw.pragma(`index_info(${index.name})`) as { name: string }[]).map((c) => c.name).join(', ');
      if (index.origin === 'u') lines.push(`u ${table}(${cols})`);
      if (index.origin === 'c') lines.push(`i ${index.name} ${index.unique ? 'unique ' : ''}${index.partial ? 'partial ' : ''}${table}(${cols})`);
    }
    const foreign = raw.pragma(`foreign_key_list(${table})`) as { id: number; table: string; from: string; to: string }[];
    for (const id of new Set(foreign.map((f) => f.id))) {
      const parts = foreign.filter((f) => f.id === id);
      lines.push(`f ${table}(${parts.map((f) => f.from).join(', ')}) → ${parts[0]!.table}(${parts.map((f) => f.to).join(', ')})`);
    }
  }
  return lines.sort();
}

export async function postgresKeys(pool: pg.Pool, tables: string[]): Promise<string[]> {
  const { rows: constraints } = await pool.query<{ line: string }>(
    `SELECT c.contype::text || ' ' || c.conrelid::regclass::text || '(' ||
            (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) || ')' ||
            CASE WHEN c.contype = 'f' THEN ' → ' || c.confrelid::regclass::text || '(' ||
              (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) || ')' ELSE '' END AS line
     FROM pg_constraint c
     WHERE c.contype IN ('p', 'u', 'f') AND c.conrelid::regclass::text = ANY ($1)`,
    [tables],
  );
  // Indexes made by CREATE INDEX, not by a constraint; GIN indexes (full-text) have no SQLite twin.
  const { rows: indexes } = await pool.query<{ line: string }>(
    `SELECT 'i ' || ic.relname || ' ' || CASE WHEN x.indisunique THEN 'unique ' ELSE '' END ||
            CASE WHEN x.indpred IS NOT NULL THEN 'partial ' ELSE '' END || t.relname || '(' ||
            (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) || ')' AS line
     FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_am am ON am.oid = ic.relam
     WHERE t.relname = ANY ($1) AND am.amname = 'btree'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))`,
    [tables],
  );
  return [...constraints, ...indexes].map((r) => r.line).sort();
}
