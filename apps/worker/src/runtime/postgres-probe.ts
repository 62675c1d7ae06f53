import { assertPostgresReachable } from '@dgc/shared';
import type { DependencyProbe } from './dependency-breaker.js';
import { isPostgresUnreachable } from './job-errors.js';

/**
 * PostgreSQL as the dependency breaker sees it. The probe is a `select 1` on a connection of its own, not
 * one of the handlers' pool: the pool may hold connections the outage broke, and a probe must not wait
 * behind jobs for one.
 */
export class PostgresProbe implements DependencyProbe {
  readonly dependency = 'postgres';
  readonly #databaseUrl: string;
  readonly #timeoutMs: number;

  constructor(databaseUrl: string, timeoutMs = 2_000) {
    this.#databaseUrl = databaseUrl;
    this.#timeoutMs = timeoutMs;
  }

  isOutage(error: unknown): boolean {
    return isPostgresUnreachable(error);
  }

  check(): Promise<void> {
    return assertPostgresReachable(this.#databaseUrl, this.#timeoutMs);
  }
}
