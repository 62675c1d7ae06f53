/** A fault the REST side injects on matching requests, for chaos tests. */
export interface RestFault {
  /** Applies to requests whose path (after /api/v10) starts with this, e.g. `/channels/`. */
  pathPrefix: string;
  /** `refuse`: Discord's answer to a request it will not carry out (default 403, 50013 Missing Permissions). */
  kind: 'rateLimit' | 'serverError' | 'slow' | 'refuse';
  /** For `rateLimit`: which scope the 429 claims (shared 429s do not count as invalid requests). */
  scope?: 'user' | 'global' | 'shared';
  /** For `rateLimit`: seconds in `retry_after`; default 1. */
  retryAfterSeconds?: number;
  /** For `serverError`: 500, 502, 503 or 504; default 500. For `refuse`: the 4xx status; default 403. */
  status?: number;
  /** For `refuse`: Discord's JSON error code and message; default 50013 "Missing Permissions". */
  code?: number;
  message?: string;
  /** For `slow`: added latency; default 1000 ms. */
  delayMs?: number;
  /** How many matching requests it affects; default unlimited until cleared. */
  count?: number;
}

/** The active faults, consumed request by request. */
export class RestFaults {
  readonly #faults: (RestFault & { remaining: number })[] = [];

  add(fault: RestFault): void {
    this.#faults.push({ ...fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The faults that apply to this request, each counted once. */
  take(path: string): RestFault[] {
    const applied: RestFault[] = [];
    for (const fault of this.#faults) {
      if (fault.remaining <= 0 || !path.startsWith(fault.pathPrefix)) continue;
      fault.remaining -= 1;
      applied.push(fault);
    }
    return applied;
  }
}
