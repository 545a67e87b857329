/** One invariant a doctor checked, on either engine. */
export interface Finding {
  check: string;
  ok: boolean;
  /** What was found: a count, or the first offenders. */
  detail: string;
}
