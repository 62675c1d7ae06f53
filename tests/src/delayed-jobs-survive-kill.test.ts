import { PostgresDelayedJobs } from '@dgc/bot-sdk/runtime';
import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { createRedisConnection, type Redis, singleRedis } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchedulerWorld } from './support/scheduler-world.js';
import { redisUrl, stopServices } from './support/services.js';

const jobCount = 500;
/** Each job's handler waits this long before recording, so the killed replica has jobs in flight. */
const workMs = 200;
/**
 * Slots per replica. Lateness is bounded below by the queue: the i-th job cannot start before
 * (i / slots) × workMs — with 16 slots and 200 ms of work, 500 jobs on the one replica left after the kill
 * start up to ~5 s late whatever the scheduler does. Delayed jobs mostly wait (REST, the database), so a
 * bound of 100 costs little and lets all 500 start within a second of their time on one replica.
 */
const slotsPerReplica = 100;
/** The claim lease: the killed replica's jobs are claimed again about this long after the kill. */
const leaseMs = 2_000;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function describeLateness(label: string, sorted: readonly number[]): string {
  if (sorted.length === 0) return `${label}: none`;
  return (
    `${label} (${sorted.length}): p50 ${percentile(sorted, 0.5)} ms, p99 ${percentile(sorted, 0.99)} ms, ` +
    `min ${sorted[0]} ms, max ${sorted.at(-1)} ms`
  );
}

describe('delayed jobs with a scheduler replica killed mid-run', () => {
  const world = new SchedulerWorld('delayed-jobs', {
    maxConnections: 8,
    // The fixture's handler writes here, in the transaction that records its job done.
    async setUp(prisma) {
      await prisma.$executeRaw`CREATE TABLE test_delayed_effect (
        job_id bigint NOT NULL, runner integer NOT NULL, attempt integer NOT NULL, lateness_ms integer NOT NULL)`;
    },
  });
  let redis: Redis;

  beforeAll(() => {
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:delayed-jobs' });
  });

  afterAll(async () => {
    await redis?.quit();
  });

  it('each of 500 jobs due in one second runs its effect exactly once', { timeout: 90_000 }, async () => {
    const { prisma, keyPrefix } = world;
    const env = {
      WORKER_BOT_MODULE: 'tests/src/fixtures/jobs-bot.ts',
      SCHEDULER_DELAYED_CONCURRENCY: String(slotsPerReplica),
      SCHEDULER_DELAYED_BATCH_SIZE: '50',
      SCHEDULER_DELAYED_LEASE_MS: String(leaseMs),
      // Room for the slots' records (each a short transaction) and the lease renewals beside them.
      DATABASE_POOL_SIZE: '20',
    };
    const [victim, survivor] = (await world.startReplicas(
      { ...env, SCHEDULER_REPLICA_ID: 'replica-a' },
      { ...env, SCHEDULER_REPLICA_ID: 'replica-b' },
    )) as [ManagedProcess, ManagedProcess];

    const invocations = `${keyPrefix}:delayed:invocations`;
    const jobs = new PostgresDelayedJobs(prisma, ['count']);
    const dueAt = new Date(Math.ceil((Date.now() + 5_000) / 1_000) * 1_000);
    const ids = await Promise.all(
      Array.from({ length: jobCount }, () => jobs.at(dueAt, 'count', { invocations, workMs })),
    );
    // One more, cancelled before it is due: it must never run.
    const cancelled = await jobs.at(dueAt, 'count', { invocations, workMs });
    // Measured from here to the due time: a negative margin would count the insert's own slowness as lateness.
    const insertedBeforeDueMs = dueAt.getTime() - Date.now();
    expect(await jobs.cancel(cancelled)).toBe(true);
    expect(await jobs.cancel(cancelled)).toBe(false);

    const done = () => prisma.delayedJob.count({ where: { status: 'done' } });
    await expect.poll(done, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(100);
    victim.kill();
    const killedAfterDueMs = Date.now() - dueAt.getTime();
    await victim.exited;
    await expect.poll(done, { timeout: 45_000, interval: 100 }).toBe(jobCount);
    const allDoneAfterDueMs = Date.now() - dueAt.getTime();
    expect(await stopServices([survivor])).toEqual({ 'scheduler-b': 0 });

    const effects = await prisma.$queryRaw<{ job_id: bigint; runs: number }[]>`
      SELECT job_id, count(*)::int AS runs FROM test_delayed_effect GROUP BY job_id`;
    expect(effects).toHaveLength(jobCount);
    expect(effects.every((effect) => effect.runs === 1)).toBe(true);
    expect(new Set(effects.map((effect) => String(effect.job_id)))).toEqual(new Set(ids));
    const rows = await prisma.delayedJob.findMany({ select: { id: true, status: true, attempts: true } });
    expect(rows.find((row) => String(row.id) === cancelled)?.status).toBe('cancelled');
    // The killed replica had jobs in flight: they were claimed again once their lease passed.
    const reclaimed = rows.filter((row) => row.attempts > 1).length;
    expect(reclaimed).toBeGreaterThan(0);

    // Jobs recorded by their first claim were never held by the killed replica when it died (or it recorded
    // them before); the others were, and waited for their lease to pass.
    const effectRows = await prisma.$queryRaw<{ attempt: number; lateness_ms: number }[]>`
      SELECT attempt, lateness_ms FROM test_delayed_effect`;
    const latenessOf = (held: boolean) =>
      effectRows
        .filter((row) => row.attempt > 1 === held)
        .map((row) => row.lateness_ms)
        .sort((a, b) => a - b);
    const unaffected = latenessOf(false);
    const reclaimedLateness = latenessOf(true);
    const handlerRuns = Number(await redis.get(invocations));
    console.log(
      `[measure] ${jobCount} delayed jobs due at once, 2 replicas × ${slotsPerReplica} slots, ${workMs} ms of work each, ` +
        `lease ${leaseMs} ms, one replica kill -9'ed ${killedAfterDueMs} ms after the due time ` +
        `(jobs inserted ${insertedBeforeDueMs} ms before it): effects exactly once; handler ran ${handlerRuns} times ` +
        `(${handlerRuns - jobCount} duplicate deliveries, not recorded); all recorded ${allDoneAfterDueMs} ms after the due time. ` +
        `Lateness at handler start — ${describeLateness('not held by the killed replica', unaffected)}; ` +
        `${describeLateness('held by it, claimed again after its lease', reclaimedLateness)}, ` +
        `the first ${(reclaimedLateness[0] ?? Number.NaN) - killedAfterDueMs} ms after the kill`,
    );
    expect(reclaimedLateness.length).toBe(reclaimed);
    // The aim is "at its time or within a second after it". On this 2-core machine shared with other work
    // the records' CPU (a Prisma interactive transaction each) sets the pace: p50 measured 1.1–1.6 s at a
    // load average of 25–45. The bound is generous so a loaded machine does not fail it, and still catches
    // jobs starting in waves or at the old 16 slots (p50 3.3–5.4 s at the same loads); p99 is only printed.
    expect(percentile(unaffected, 0.5)).toBeLessThanOrEqual(3_000);
  });
});
