import type { ParseArgsConfig, parseArgs } from 'node:util';
import { parseToolsets, type Surface } from '../../tools/tool.js';

/** Every flag of every command; each command reads the ones it needs. */
export const OPTIONS = {
  db: { type: 'string' },
  'pool-size': { type: 'string' },
  actor: { type: 'string' },
  workspace: { type: 'string' },
  'read-only': { type: 'boolean' },
  toolsets: { type: 'string' },
  http: { type: 'string' },
  'allowed-hosts': { type: 'string' },
  'allowed-origins': { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  port: { type: 'string' },
  'log-level': { type: 'string' },
  json: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** A mistake in how the bin was called: usage goes to stderr with exit code 2. */
export class UsageError extends Error {}

export function surfaceOf(values: Values): Surface {
  try {
    return {
      ...(values['read-only'] && { readOnly: true }),
      ...(values.toolsets !== undefined && { toolsets: parseToolsets(values.toolsets) }),
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export const commaList = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);
