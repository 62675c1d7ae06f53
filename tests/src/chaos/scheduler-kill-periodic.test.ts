import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { pollUntil } from '@dgc/dev-tools/testing';
import { readJobHistory } from '@dgc/shared/db';
import { describe, expect, it } from 'vitest';
import { SchedulerWorld } from '../support/scheduler-world.js';
import { stopServices } from '../support/services.js';

const periodMs = 3_000;
const workMs = 2_500;
// The run's lock: a killed replica's run is taken over within about one and a half of it.
const lockMs = 2_000;

interface SlotRow {
  slot: Date;
  runner: string;
  attempt: number;
  at: Date;
}

describe('a scheduler replica killed in the middle of a periodic run', () => {
  const world = new SchedulerWorld('scheduler-kill-periodic', {
    // The fixture's job writes here: each attempt's start, and its effect once its work is done.
    async setUp(prisma) {
      for (const table of ['test_slot_start', 'test_slot_effect']) {
        await prisma.$executeRawUnsafe(`CREATE TABLE public.${table} (
          slot timestamptz NOT NULL, runner text NOT NULL, attempt integer NOT NULL,
          at timestamptz NOT NULL DEFAULT clock_timestamp())`);
      }
    },
  });

  it('the interrupted slot is run again by the other replica, and every slot has its effect once', {
    timeout: 75_000,
  }, async () => {
    const { prisma } = world;
    const env = {
      WORKER_BOT_MODULE: 'tests/src/fixtures/slow-periodic-bot.ts',
      SCHEDULER_PERIODIC_LOCK_DURATION_MS: String(lockMs),
      FIXTURE_PERIOD_MS: String(periodMs),
      FIXTURE_WORK_MS: String(workMs),
    };
    const replicas = await world.startReplicas(
      { ...env, SCHEDULER_REPLICA_ID: 'replica-a' },
      { ...env, SCHEDULER_REPLICA_ID: 'replica-b' },
    );
    const byName = new Map([
      ['replica-a', replicas[0] as ManagedProcess],
      ['replica-b', replicas[1] as ManagedProcess],
    ]);

    // A run that started less than a second ago and has not written its effect: its replica is mid-run. After
    // a first slot completed, so the window has slots on either side of the kill.
    const inFlight = await pollUntil(
      'a periodic run in progress',
      25_000,
      async () =>
        (
          await prisma.$queryRaw<SlotRow[]>`SELECT * FROM public.test_slot_start s
            WHERE s.at > clock_timestamp() - interval '1 second'
              AND NOT EXISTS (SELECT 1 FROM public.test_slot_effect e WHERE e.slot = s.slot)
              AND EXISTS (SELECT 1 FROM public.test_slot_effect e WHERE e.slot < s.slot)`
        )[0],
      25,
    );
    const victim = byName.get(inFlight.runner);
    const [survivorName, survivor] = [...byName].find(([, replica]) => replica !== victim) ?? [];
    if (!victim || !survivor) throw new Error(`unknown runner ${inFlight.runner}`);
    victim.kill();
    const killedAt = Date.now();
    await victim.exited;

    const slot = inFlight.slot;
    const effectOf = async (of: Date) =>
      (await prisma.$queryRaw<SlotRow[]>`SELECT * FROM public.test_slot_effect WHERE slot = ${of}`)[0];
    const takenOver = await pollUntil('the interrupted slot’s effect', 20_000, () => effectOf(slot), 25);
    const restart = (
      await prisma.$queryRaw<
        SlotRow[]
      >`SELECT * FROM public.test_slot_start WHERE slot = ${slot} AND attempt > 1`
    )[0];
    // Two more slots after it.
    const after = new Date(slot.getTime() + 2 * periodMs);
    await pollUntil('two later slots', 20_000, () => effectOf(after), 50);
    expect(await stopServices([survivor])).toEqual({ [survivor.name]: 0 });

    // The interrupted attempt ran on the victim; the effect was written once, by the survivor's retry.
    expect(takenOver).toMatchObject({ runner: survivorName, attempt: 2 });
    const starts = await prisma.$queryRaw<SlotRow[]>`SELECT * FROM public.test_slot_start ORDER BY slot, at`;
    const effects = await prisma.$queryRaw<SlotRow[]>`SELECT * FROM public.test_slot_effect ORDER BY slot`;
    expect(starts.filter((row) => row.slot.getTime() === slot.getTime()).map((row) => row.runner)).toEqual([
      inFlight.runner,
      takenOver.runner,
    ]);
    // Every slot from the first to the last has exactly one effect: none lost, none doubled.
    const effectSlots = effects.map((row) => row.slot.getTime());
    const first = effectSlots[0] ?? 0;
    const last = effectSlots.at(-1) ?? 0;
    const window = Array.from(
      { length: (last - first) / periodMs + 1 },
      (_, index) => first + index * periodMs,
    );
    expect(effectSlots).toEqual(window);
    expect(effectSlots[0]).toBeLessThan(slot.getTime());
    // Every slot that started finished (the survivor drained its runs when stopped).
    expect(new Set(starts.map((row) => row.slot.getTime()))).toEqual(new Set(effectSlots));

    // The run history shows the interrupted attempt as abandoned, then the retry that succeeded.
    const runs = await prisma.scheduledJobRun.findMany({
      where: { jobName: 'slow-slot' },
      orderBy: { startedAt: 'asc' },
    });
    const slotRuns = runs.filter((run) => run.jobId.endsWith(`:${slot.getTime()}`));
    expect(slotRuns.map((run) => [run.attempt, run.outcome, run.runnerId])).toEqual([
      [1, 'abandoned', inFlight.runner],
      [2, 'succeeded', takenOver.runner],
    ]);
    expect(slotRuns[0]?.error).toContain('took the slot over');
    expect(runs.filter((run) => run.outcome !== 'succeeded')).toHaveLength(1);
    const history = await readJobHistory(prisma, 10);
    const listed = history.periodic.find((entry) => entry.job === 'slow-slot');
    expect(listed?.failedLastDay).toBe(1);
    expect(listed?.latest).toContainEqual(
      expect.objectContaining({ outcome: 'abandoned', attempt: 1, runnerId: inFlight.runner }),
    );

    const restartMs = (restart?.at.getTime() ?? Number.NaN) - killedAt;
    const completedMs = takenOver.at.getTime() - killedAt;
    console.log(
      `[measure] kill -9 of ${inFlight.runner} ${killedAt - inFlight.at.getTime()} ms into a ${workMs} ms run ` +
        `(lock ${lockMs} ms, stalled check every ${lockMs / 2} ms): the survivor restarted the slot ${restartMs} ms ` +
        `after the kill and completed it ${completedMs} ms after; ${effectSlots.length} consecutive slots, one effect each`,
    );
  });
});
