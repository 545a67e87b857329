/**
 * Generates the Kysely table types (src/db/tables.ts) from schema.sql, so the
 * types cannot drift from the schema: test/schema.test.ts regenerates and compares.
 *   npm run gen:types
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { parseMigrations } from '../src/db/migrate.js';
import { migrate } from '../src/db/sqlite/migrate.js';
import { packageRoot, readSchemaSql } from '../src/package-root.js';

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

const TS_TYPES: Record<string, string> = { TEXT: 'string', INTEGER: 'number', REAL: 'number', BLOB: 'Buffer' };

/** `CHECK (kind IN ('human', 'ai'))` becomes the type `'human' | 'ai'`. */
function checkedValues(tableSql: string): Map<string, string> {
  const unions = new Map<string, string>();
  for (const [, column, list] of tableSql.matchAll(/CHECK \((\w+) IN \(([^)]*)\)\)/g)) {
    const values = [...list!.matchAll(/'([^']*)'/g)].map((m) => `'${m[1]}'`);
    if (values.length > 0) unions.set(column!, values.join(' | '));
  }
  return unions;
}

const pascal = (name: string) => name.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());

export function generateTableTypes(schemaSql: string): string {
  const raw = new BetterSqlite3(':memory:');
  try {
    migrate(raw, parseMigrations(schemaSql));
    const tables = raw
      .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string; sql: string }[];
    const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
    // FTS5 keeps its index in shadow tables named after the virtual table; they are not ours to query.
    const ours = tables.filter((t) => !virtual.some((v) => t.name.startsWith(`${v}_`)));

    const lines = [
      '// Generated from schema.sql by scripts/gen-db-types.ts (npm run gen:types). Do not edit.',
      "import type { Generated } from 'kysely';",
      '',
      'export interface Tables {',
      ...ours.map((t) => `  ${t.name}: ${pascal(t.name)}Table;`),
      '}',
    ];
    for (const table of ours) {
      const columns = raw.pragma(`table_xinfo(${table.name})`) as ColumnInfo[];
      const unions = checkedValues(table.sql);
      lines.push('', `export interface ${pascal(table.name)}Table {`);
      for (const column of columns.filter((c) => c.hidden === 0)) {
        // FTS5 columns carry no declared type; they hold text.
        const base = unions.get(column.name) ?? TS_TYPES[column.type.toUpperCase()] ?? 'string';
        const isRowid = column.pk === 1 && column.type.toUpperCase() === 'INTEGER';
        const nullable = column.notnull === 0 && !isRowid ? ' | null' : '';
        const type = `${base}${nullable}`;
        lines.push(`  ${column.name}: ${isRowid || column.dflt_value !== null ? `Generated<${type}>` : type};`);
      }
      lines.push('}');
    }
    return `${lines.join('\n')}\n`;
  } finally {
    raw.close();
  }
}

export const tablesFile = join(packageRoot, 'src', 'db', 'tables.ts');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(tablesFile, generateTableTypes(readSchemaSql()));
  console.error(`wrote ${tablesFile}`);
}
