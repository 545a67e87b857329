export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'NOT_FOUND',
  'AMBIGUOUS',
  'CONFLICT',
  'INVALID_TRANSITION',
  'FORBIDDEN',
  'BUSY',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One of several records a reference could mean, offered so the caller can pick by id. */
export interface Candidate {
  id: string;
  name: string;
  email?: string;
  /** For agents: their teams and whether they are active, so two who share a name can be told apart. */
  teams?: string[];
  active?: boolean;
}

export interface ErrorExtras {
  /** The next valid step, written for a model. */
  hint?: string;
  candidates?: Candidate[];
  /** Facts the caller can act on: the current version, the holder, the allowed statuses. */
  details?: Record<string, unknown>;
}

/** A failure the caller caused and can correct; it becomes a failed envelope, never a crash. */
export class DomainError extends Error {
  constructor(
    readonly code: Exclude<ErrorCode, 'INTERNAL'>,
    message: string,
    readonly extras: ErrorExtras = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationError = (message: string, extras?: ErrorExtras) =>
  new DomainError('VALIDATION_ERROR', message, extras);
export const notFound = (message: string, extras?: ErrorExtras) => new DomainError('NOT_FOUND', message, extras);
export const conflict = (message: string, extras?: ErrorExtras) => new DomainError('CONFLICT', message, extras);
export const invalidTransition = (message: string, extras?: ErrorExtras) =>
  new DomainError('INVALID_TRANSITION', message, extras);
/** The server or database is busy past its deadline (another writer, too many calls in flight): retry after a pause. */
export const busy = (message: string, extras?: ErrorExtras) => new DomainError('BUSY', message, extras);
/** Storage cannot take the change (read-only, full, or the database file was removed): an operator must act. */
export const unavailable = (message: string, extras?: ErrorExtras) => new DomainError('UNAVAILABLE', message, extras);
