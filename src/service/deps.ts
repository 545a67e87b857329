import type { Engine } from '../db/engine.js';
import type { Caller } from './context.js';
import type { Lookups } from './lookups.js';

/** What every service operation works with: the engine, and the lookups cache. */
export interface ServiceDeps {
  engine: Engine;
  lookups: Lookups;
}

/** What the service answers: the data, and one sentence saying what happened. */
export interface Result<T> {
  data: T;
  message: string;
}

/** A change's answer, and whether anything changed: a call that found the ticket as asked changes nothing. */
export interface Change<T> extends Result<T> {
  changed: boolean;
}

export type Operation<I, O> = (deps: ServiceDeps, caller: Caller, input: I) => Promise<O>;
