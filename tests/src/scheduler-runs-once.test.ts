import { describe, expect, it } from 'vitest';
import { SchedulerWorld } from './support/scheduler-world.js';
import { stopServices } from './support/services.js';

const runsToObserve = 8;

describe('scheduler replicas', () => {
  const world = new SchedulerWorld('scheduler');

  it('run each periodic job once per period however many replicas run', { timeout: 60_000 }, async () => {
    const { prisma } = world;
    const staleKey = 'message-create:stale';
    await prisma.handledEvent.createMany({
      data: [
        { key: staleKey, handledAt: new Date(Date.now() - 48 * 3_600_000) },
        { key: 'message-create:fresh', handledAt: new Date() },
      ],
    });
    const retention = String(24 * 3_600_000);
    const replicas = await world.startReplicas(
      // Replica a still uses the retention's former name: read, with a warning at start.
      {
        SCHEDULER_PRUNE_EVERY_MS: '250',
        HANDLED_EVENT_RETENTION_MS: retention,
        SCHEDULER_REPLICA_ID: 'replica-a',
      },
      { SCHEDULER_PRUNE_EVERY_MS: '250', DEDUPE_RETENTION_MS: retention, SCHEDULER_REPLICA_ID: 'replica-b' },
    );
    const deprecationWarning = (line: string) => line.includes('HANDLED_EVENT_RETENTION_MS is deprecated');
    expect(replicas[0]?.lines.filter(deprecationWarning)).toHaveLength(1);
    expect(replicas[1]?.lines.some(deprecationWarning)).toBe(false);

    await expect
      .poll(() => prisma.scheduledJobRun.count({ where: { outcome: 'succeeded' } }), {
        timeout: 30_000,
        interval: 50,
      })
      .toBeGreaterThanOrEqual(runsToObserve);
    const exits = await stopServices(replicas);
    expect(exits).toEqual({ 'scheduler-a': 0, 'scheduler-b': 0 });

    const runs = await prisma.scheduledJobRun.findMany({ orderBy: { startedAt: 'asc' } });
    const jobIds = runs.map((run) => run.jobId);
    expect(new Set(jobIds).size).toBe(jobIds.length);
    expect(runs.every((run) => run.jobName === 'prune-handled-events')).toBe(true);
    expect(runs.every((run) => run.outcome === 'succeeded')).toBe(true);
    // BullMQ derives each run's id from its scheduler and time slot: one run per slot, whichever replica ran it.
    const slots = jobIds.map((jobId) => Number(/:(\d+)$/.exec(jobId)?.[1]));
    expect(new Set(slots).size).toBe(runs.length);
    const sorted = [...slots].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((slot, index) => slot - (sorted[index] ?? 0));
    expect(gaps.every((gap) => gap >= 250 && gap % 250 === 0)).toBe(true);

    const remaining = await prisma.handledEvent.findMany({ select: { key: true } });
    expect(remaining.map((row) => row.key)).toEqual(['message-create:fresh']);
  });
});
