import type { Logger } from '@dgc/shared';
import { type DelayedJobClaims, LostClaimError } from './delayed-job-claims.js';

/**
 * Keeps this replica's claims alive while their runs last: every third of the lease it extends all of them
 * in one statement. The lease can then be short whatever a job's timeout — a killed replica's jobs are
 * claimed again about one lease after it died, not after the longest timeout of the bot's jobs — while a
 * live replica keeps its long runs. A run whose claim was lost anyway (the renewals stalled past the lease
 * and another replica took the job) has its signal fired, so it stops instead of running on beside the
 * new claimer; it could not be recorded done any more.
 */
export class ClaimLeases {
  readonly #claims: DelayedJobClaims;
  readonly #leaseMs: number;
  readonly #logger: Logger;
  /** Claim token → what fires the run's signal when the claim is lost. */
  readonly #held = new Map<string, AbortController>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(claims: DelayedJobClaims, leaseMs: number, logger: Logger) {
    this.#claims = claims;
    this.#leaseMs = leaseMs;
    this.#logger = logger;
  }

  /** Starts renewing; the first renewal is a third of the lease after the call. */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Renews `claimToken` until `release`; the signal fires (with a LostClaimError) if the claim is lost. */
  hold(claimToken: string): AbortSignal {
    const lost = new AbortController();
    this.#held.set(claimToken, lost);
    return lost.signal;
  }

  /** Stops renewing: the run is being recorded (its record checks the claim itself) or is over. */
  release(claimToken: string): void {
    this.#held.delete(claimToken);
  }

  #schedule(): void {
    if (this.#stopped) return;
    // The next renewal is timed from the end of this one, so renewals never overlap.
    this.#timer = setTimeout(() => void this.#renew().finally(() => this.#schedule()), this.#leaseMs / 3);
    // The runs keep the process alive while they last; the renewals alone must not.
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const tokens = [...this.#held.keys()];
    if (tokens.length === 0) return;
    let kept: Set<string>;
    try {
      kept = await this.#claims.renew(tokens, this.#leaseMs);
    } catch (error) {
      // Two more tries before the lease passes; after that the runs are claimed again and cannot be recorded here.
      this.#logger.error({ err: error, claims: tokens.length }, 'renewing delayed job leases failed');
      return;
    }
    for (const token of tokens) {
      const lost = this.#held.get(token);
      if (kept.has(token) || !lost) continue;
      this.#held.delete(token);
      lost.abort(new LostClaimError('the lease passed and another replica claimed the job again'));
    }
  }
}
