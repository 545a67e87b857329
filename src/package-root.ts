import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json and schema.sql. Found by walking up because the
 * same module runs from src/ (tests) and from dist/src/ (the built bin).
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'schema.sql')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ticket-mcp: cannot find schema.sql next to package.json');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();

export const packageVersion: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

export function readSchemaSql(): string {
  return readFileSync(join(packageRoot, 'schema.sql'), 'utf8');
}
