/** Logs are JSON lines on stderr: stdout belongs to the protocol. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const errorFields = (value: unknown) =>
  value instanceof Error ? { error: value.message, code: (value as { code?: unknown }).code, stack: value.stack } : value;

export function createLogger(level: LogLevel = 'info', write = (line: string) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (lvl: LogLevel) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (LOG_LEVELS.indexOf(lvl) < threshold) return;
    const entries = Object.entries(fields).map(([k, v]) => [k, errorFields(v)]);
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...Object.fromEntries(entries) })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
