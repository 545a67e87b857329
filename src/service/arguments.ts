import { validationError } from '../errors.js';

export type Json = Record<string, unknown>;

export interface VersionGuard {
  /** The version the caller last read; the change applies only if the ticket is still there. */
  expectedVersion?: number;
}

/** Two arguments that may name the same thing (statusId and statusName, say) must agree. */
export async function eitherOf<T>(
  fields: [string, string],
  values: [string | undefined, string | undefined],
  resolve: (ref: string, field: string) => T | Promise<T>,
  identity: (resolved: T) => string,
): Promise<T | undefined> {
  const first = values[0] === undefined ? undefined : await resolve(values[0], fields[0]);
  const second = values[1] === undefined ? undefined : await resolve(values[1], fields[1]);
  if (first !== undefined && second !== undefined && identity(first) !== identity(second)) {
    throw validationError(`\`${fields[0]}\` and \`${fields[1]}\` name different records; pass only one of them.`);
  }
  return first ?? second;
}

/** JSON with sorted keys, so the same value always compares and hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
