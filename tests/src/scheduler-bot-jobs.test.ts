import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startApp } from '@dgc/dev-tools/supervision';
import { createRedisConnection, singleRedis } from '@dgc/shared';
import { describe, expect, it } from 'vitest';
import { SchedulerWorld } from './support/scheduler-world.js';
import { freePort, redisUrl, repositoryRoot, stopServices } from './support/services.js';

const slotsToObserve = 20;

describe('a bot’s periodic jobs on two scheduler replicas', () => {
  const world = new SchedulerWorld('scheduler-bot-jobs');

  it('run once in each of 20 consecutive slots, and a failing attempt is retried with back-off and recorded', {
    timeout: 90_000,
  }, async () => {
    const { prisma, simulator, keyPrefix } = world;
    const env = {
      ...world.env(),
      WORKER_BOT_MODULE: 'tests/src/fixtures/jobs-bot.ts',
      FIXTURE_GUILD_ID: simulator.guilds[0]?.id ?? '',
    };
    const replicas = await world.startReplicas(
      { ...env, SCHEDULER_REPLICA_ID: 'replica-a' },
      { ...env, SCHEDULER_REPLICA_ID: 'replica-b' },
    );
    const retriedSlots = () =>
      prisma.scheduledJobRun.count({ where: { jobName: 'flaky', outcome: 'succeeded' } });
    await expect
      .poll(
        async () =>
          Math.min(
            await prisma.scheduledJobRun.count({ where: { jobName: 'tick', outcome: 'succeeded' } }),
            await retriedSlots(),
          ),
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(slotsToObserve);
    expect(await stopServices(replicas)).toEqual({ 'scheduler-a': 0, 'scheduler-b': 0 });
    // Jobs get the handlers' state cache: a job read the guild through it (a miss, fetched over REST).
    const redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:bot-jobs' });
    try {
      expect(await redis.get(`${keyPrefix}:fixture:cached-guild`)).toBe(simulator.guilds[0]?.name);
    } finally {
      await redis.quit();
    }

    const ticks = await prisma.scheduledJobRun.findMany({ where: { jobName: 'tick' } });
    const tickIds = ticks.map((run) => run.jobId);
    // One run per slot across both replicas: no job id twice, and the slots one interval apart.
    expect(new Set(tickIds).size).toBe(tickIds.length);
    expect(ticks.every((run) => run.outcome === 'succeeded' && run.attempt === 1)).toBe(true);
    expect(ticks.every((run) => run.durationMs !== null && run.finishedAt !== null)).toBe(true);
    const slots = tickIds.map((jobId) => Number(/:(\d+)$/.exec(jobId)?.[1])).sort((a, b) => a - b);
    expect(slots.slice(1).every((slot, index) => (slot - (slots[index] ?? 0)) % 1_000 === 0)).toBe(true);
    expect(slots.slice(1).every((slot, index) => slot > (slots[index] ?? 0))).toBe(true);
    // Each of 20 consecutive slots ran, once: no slot skipped between the first and the twentieth.
    const firstTwenty = slots.slice(0, slotsToObserve);
    expect(firstTwenty.slice(1).every((slot, index) => slot - (firstTwenty[index] ?? 0) === 1_000)).toBe(
      true,
    );

    // Every slot of the flaky job: attempt 1 failed with its error, attempt 2 succeeded after the back-off.
    const flaky = await prisma.scheduledJobRun.findMany({
      where: { jobName: 'flaky' },
      orderBy: { attempt: 'asc' },
    });
    const bySlot = new Map<string, typeof flaky>();
    for (const run of flaky) bySlot.set(run.jobId, [...(bySlot.get(run.jobId) ?? []), run]);
    const completed = [...bySlot.values()].filter((runs) => runs.some((run) => run.outcome === 'succeeded'));
    expect(completed.length).toBeGreaterThanOrEqual(slotsToObserve);
    for (const runs of completed) {
      expect(runs.map((run) => [run.attempt, run.outcome])).toEqual([
        [1, 'failed'],
        [2, 'succeeded'],
      ]);
      const [failed, retried] = runs;
      expect(failed?.error).toBe('first attempt of every slot fails');
      // Back-off of 100 ms before the retry (BullMQ's delayed set is checked with ms precision).
      const backoffMs = (retried?.startedAt.getTime() ?? 0) - (failed?.finishedAt?.getTime() ?? Infinity);
      expect(backoffMs).toBeGreaterThanOrEqual(90);
    }

    // Operators see the same history: `npm run cluster -- jobs`.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', 'jobs', '--json'],
      { cwd: repositoryRoot, env: { ...process.env, ...env } },
    );
    const listed = JSON.parse(stdout) as {
      periodic: { job: string; latest: { outcome: string; attempt: number; error: string | null }[] }[];
    };
    // Beside the scheduler's own pruning, which runs once at start.
    expect(listed.periodic.map((entry) => entry.job)).toEqual(expect.arrayContaining(['flaky', 'tick']));
    const flakyAttempts = listed.periodic.find((entry) => entry.job === 'flaky')?.latest ?? [];
    expect(flakyAttempts).toContainEqual(
      expect.objectContaining({ outcome: 'failed', attempt: 1, error: 'first attempt of every slot fails' }),
    );

    // And the dashboard: /api/jobs, which its page shows (status, duration, error of each run).
    const port = await freePort();
    const dashboard = await startApp(
      'dashboard',
      { ...env, DASHBOARD_PORT: String(port) },
      'dashboard',
      30_000,
    );
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/jobs`);
      expect(response.status).toBe(200);
      const shown = (await response.json()) as typeof listed;
      const flakyShown = shown.periodic.find((entry) => entry.job === 'flaky')?.latest ?? [];
      expect(flakyShown).toContainEqual(
        expect.objectContaining({ outcome: 'failed', error: 'first attempt of every slot fails' }),
      );
      expect(flakyShown).toContainEqual(
        expect.objectContaining({ outcome: 'succeeded', durationMs: expect.any(Number) }),
      );
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(page).toContain('api/jobs');
    } finally {
      await dashboard.stop('SIGTERM', 10_000);
    }

    const runners = new Set([...ticks, ...flaky].map((run) => run.runnerId));
    console.log(
      `[measure] ${ticks.length} tick slots and ${completed.length} retried flaky slots, run by ${[...runners].join(', ')}`,
    );
  });
});
