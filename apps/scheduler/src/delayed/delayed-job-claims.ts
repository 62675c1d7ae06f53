import type { JobTransaction } from '@dgc/bot-sdk';
import type { PrismaClient } from '@dgc/shared/db';

/** A due job this replica claimed: it alone may record the run until its lease passes. */
export interface ClaimedJob {
  id: bigint;
  name: string;
  payload: unknown;
  runAt: Date;
  /** This claim's attempt number (claims so far, this one included). */
  attempts: number;
  maxAttempts: number;
  claimToken: string;
}

/** Another replica claimed the job again after this one's lease passed; this run must not be recorded. */
export class LostClaimError extends Error {
  override readonly name = 'LostClaimError';
}

/**
 * The database clients the claims use. Claims, renewals and the next due time go through `queue`, records
 * through `records`: with every slot's record in flight the records' pool is busy, and a claim queued
 * behind them would leave the freed slots empty until the last record is through (jobs then start in
 * waves), while a renewal queued there could let a live run's lease pass. One client may serve both.
 */
export interface DelayedJobDatabase {
  queue: PrismaClient;
  records: PrismaClient;
}

/**
 * The `delayed_job` table as a queue. Columns are `timestamp(3)` holding UTC (Prisma's convention), so raw
 * SQL compares them with `now() AT TIME ZONE 'UTC'`, whatever the session's time zone.
 */
export class DelayedJobClaims {
  readonly #queue: PrismaClient;
  readonly #records: PrismaClient;
  readonly #replicaId: string;

  constructor(database: DelayedJobDatabase, replicaId: string) {
    this.#queue = database.queue;
    this.#records = database.records;
    this.#replicaId = replicaId;
  }

  /**
   * Claims up to `limit` jobs that are due, or whose claimer's lease passed (it died or hangs), oldest due
   * first. SKIP LOCKED lets replicas claim concurrently without waiting on each other's rows; each claim
   * gets a new token, which makes any earlier claimer's later attempt to record the run fail.
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    const rows = await this.#queue.$queryRaw<
      {
        id: bigint;
        name: string;
        payload: unknown;
        run_at: Date;
        attempts: number;
        max_attempts: number;
        claim_token: string;
      }[]
    >`
      UPDATE delayed_job AS job
      SET status = 'running',
          attempts = job.attempts + 1,
          claimed_by = ${this.#replicaId},
          claim_token = gen_random_uuid(),
          started_at = now() AT TIME ZONE 'UTC',
          lease_until = (now() AT TIME ZONE 'UTC') + ${leaseMs} * interval '1 millisecond'
      FROM (
        SELECT id FROM delayed_job
        WHERE (status = 'pending' AND run_at <= now() AT TIME ZONE 'UTC')
           OR (status = 'running' AND lease_until < now() AT TIME ZONE 'UTC')
        ORDER BY run_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) AS due
      WHERE job.id = due.id
      RETURNING job.id, job.name, job.payload, job.run_at, job.attempts, job.max_attempts,
                job.claim_token::text AS claim_token`;
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      payload: row.payload,
      runAt: row.run_at,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      claimToken: row.claim_token,
    }));
  }

  /**
   * Extends the leases of the claims this replica still runs (one statement for all of them) and returns
   * the tokens it extended. A token missing from the answer lost its claim: its lease passed and another
   * replica claimed the job again (or it was recorded meanwhile).
   */
  async renew(claimTokens: readonly string[], leaseMs: number): Promise<Set<string>> {
    if (claimTokens.length === 0) return new Set();
    const rows = await this.#queue.$queryRaw<{ claim_token: string }[]>`
      UPDATE delayed_job
      SET lease_until = (now() AT TIME ZONE 'UTC') + ${leaseMs} * interval '1 millisecond'
      WHERE status = 'running' AND claim_token = ANY(${claimTokens}::uuid[])
      RETURNING claim_token::text AS claim_token`;
    return new Set(rows.map((row) => row.claim_token));
  }

  /**
   * Milliseconds until something becomes claimable — the earliest pending job falls due, or the earliest
   * lease passes — by the database's clock, so a scheduler host's clock skew does not matter; 0 when
   * something already is, null when nothing is pending or running.
   */
  async msUntilNextClaimable(): Promise<number | null> {
    // least() skips a NULL (nothing pending, or nothing running); the result is NULL only when both are.
    const [row] = await this.#queue.$queryRaw<{ wait_ms: number | null }[]>`
      SELECT ceil(extract(epoch FROM least(
               (SELECT min(run_at) FROM delayed_job WHERE status = 'pending'),
               (SELECT min(lease_until) FROM delayed_job WHERE status = 'running')
             ) - now() AT TIME ZONE 'UTC') * 1000)::float8 AS wait_ms`;
    return row?.wait_ms == null ? null : Math.max(0, row.wait_ms);
  }

  /**
   * Records the run done, and runs `write` in the same transaction. The update comes first and takes the
   * row's lock, so no replica can claim the job meanwhile; if the claim was lost it changes no row and the
   * transaction (with `write`) rolls back: done is recorded once, and so is an effect written in `write`.
   * Without `write` the update alone is the record: one statement, no transaction around it.
   */
  async complete<T>(
    job: ClaimedJob,
    timeoutMs: number,
    write?: (transaction: JobTransaction) => Promise<T>,
  ): Promise<T | undefined> {
    if (!write) {
      await this.#recordDone(this.#records, job);
      return undefined;
    }
    return this.#records.$transaction(
      async (transaction) => {
        await this.#recordDone(transaction, job);
        return await write(transaction);
      },
      { timeout: timeoutMs, maxWait: timeoutMs },
    );
  }

  // Raw SQL: this runs once per job, and a model query is compiled anew each time it runs.
  async #recordDone(client: JobTransaction, job: ClaimedJob): Promise<void> {
    const count = await client.$executeRaw`
      UPDATE delayed_job
      SET status = 'done', finished_at = now() AT TIME ZONE 'UTC', lease_until = NULL, last_error = NULL
      WHERE id = ${job.id} AND claim_token = ${job.claimToken}::uuid AND status = 'running'`;
    if (count !== 1) throw new LostClaimError(`delayed job ${job.id} was claimed again`);
  }

  /** A failed attempt: retried at `retryAt`, or recorded failed when `retryAt` is null. */
  async fail(job: ClaimedJob, error: string, retryAt: Date | null): Promise<void> {
    await this.#records.delayedJob.updateMany({
      where: { id: job.id, claimToken: job.claimToken, status: 'running' },
      data: retryAt
        ? { status: 'pending', runAt: retryAt, claimToken: null, leaseUntil: null, lastError: error }
        : { status: 'failed', finishedAt: new Date(), claimToken: null, leaseUntil: null, lastError: error },
    });
  }
}
