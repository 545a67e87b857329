export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_HEADER = /^-- migration (\d+): (.+)$/gm;

/** Splits schema.sql into its numbered migrations; numbers must run 1, 2, 3, … */
export function parseMigrations(schemaSql: string): Migration[] {
  const headers = [...schemaSql.matchAll(MIGRATION_HEADER)];
  return headers.map((header, i) => {
    const version = Number(header[1]);
    if (version !== i + 1) throw new Error(`schema.sql: migration ${version} found where ${i + 1} was expected`);
    const start = header.index + header[0].length;
    const end = headers[i + 1]?.index ?? schemaSql.length;
    return { version, name: header[2]!.trim(), sql: schemaSql.slice(start, end) };
  });
}
