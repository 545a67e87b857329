import { z } from 'zod';
import { storageFault } from './db/engine.js';
import { DomainError, ERROR_CODES, type ErrorCode, type ErrorExtras } from './errors.js';

/** What went wrong in machine terms; the sentence for people is the envelope's message, said once. */
export interface ErrorBody extends ErrorExtras {
  code: ErrorCode;
}

/** Thena's answer shape, on every tool call: success and failure alike. */
export interface Envelope<T> {
  data: T | null;
  status: boolean;
  message: string;
  timestamp: string;
  error?: ErrorBody;
}

/** Declared loosely (code and hint; candidates and details are allowed) to keep every tool's outputSchema small. */
const errorSchema = z.looseObject({ code: z.enum(ERROR_CODES), hint: z.string().optional() });

/** The outputSchema of a tool: the envelope around that tool's data. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    data: data.nullable(),
    status: z.boolean(),
    message: z.string(),
    timestamp: z.string(),
    error: errorSchema.optional(),
  });
}

export function succeeded<T>(data: T, message: string): Envelope<T> {
  return { data, status: true, message, timestamp: new Date().toISOString() };
}

export function failed(code: ErrorCode, message: string, extras: ErrorExtras = {}): Envelope<never> {
  return {
    data: null,
    status: false,
    message,
    timestamp: new Date().toISOString(),
    error: { code, ...extras },
  };
}

/**
 * Every error becomes a failed envelope. A DomainError keeps its code and advice; a
 * failing disk answers UNAVAILABLE (db/faults.ts), and the operator who must act
 * finds it in the log too. Anything else is a fault of ours: the caller gets INTERNAL
 * and no internals, and `report` gets the error itself (to stderr).
 */
export function envelopeForError(error: unknown, report: (error: unknown) => void): Envelope<never> {
  if (error instanceof DomainError) {
    // The operator must act on these: the log says what happened, without a stack.
    if (error.code === 'UNAVAILABLE') report({ code: error.code, message: error.message, ...error.extras.details });
    return failed(error.code, error.message, error.extras);
  }
  report(error);
  const fault = storageFault(error);
  if (fault) return failed(fault.code, fault.message, fault.extras);
  return failed('INTERNAL', 'An internal error occurred; the details are in the server log.', {
    hint: 'Retry once; a change either happened whole or not at all, so read before retrying a change. If it happens again, report it.',
  });
}
