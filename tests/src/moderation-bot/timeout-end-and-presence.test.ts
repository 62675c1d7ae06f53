import type { PresenceUpdateRecord } from '@dgc/discord-simulator';
import { createPrismaClient } from '@dgc/shared/db';
import { ActivityType } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../support/services.js';
import { type ModerationCluster, startModerationCluster } from './moderation-cluster.js';

const shardCount = 2;
/** The bot's presence rotation, shortened from a minute so a few slots pass in a few seconds. */
const rotationMs = 1_000;

/**
 * The bot's scheduled work end to end: the delayed job that ends a timeout (and leaves an extended one
 * alone), and the periodic job that rotates the presence through gateway commands on every shard.
 */
describe('moderation bot: timeout ends and presence rotation', () => {
  let bot: ModerationCluster;
  let scheduler: Promise<void> | undefined;
  const memberId = (index: number) => bot.guild.members[index]?.user.id ?? '';
  /** Starts the scheduler once, for whichever test needs it first. */
  const schedulerRunning = () => {
    scheduler ??= startService('scheduler', bot.env).then((service) => {
      bot.cluster.processes.push(service);
    });
    return scheduler;
  };

  beforeAll(async () => {
    bot = await startModerationCluster('modbot-scheduled', {
      // Started by the tests: the timeout test sets its members up before any end can run.
      scheduler: false,
      // Both shards identify at once: the test is about what runs after READY.
      simulator: { shardCount, maxConcurrency: shardCount },
      env: {
        GATEWAY_SHARD_COUNT: String(shardCount),
        MODERATION_BOT_PRESENCE_ROTATION_MS: String(rotationMs),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await bot?.teardown();
  });

  it('ends a timeout through its durable delayed job, and leaves one extended since alone', {
    timeout: 60_000,
  }, async () => {
    const [moderator, extended, ended] = [memberId(2), memberId(12), memberId(13)];
    await bot.giveModeratorRole(moderator);
    const memberPath = (userId: string) => `/guilds/${bot.guild.id}/members/${userId}`;
    const timeouts = [extended, ended].map((target) =>
      bot.run('timeout', moderator, { user: { user: target }, duration: '2s', reason: 'calm down' }),
    );
    await Promise.all(timeouts.map((interaction) => bot.answerMatching(interaction, /^Case #\d+: timeout/)));
    // A moderator lengthens one timeout in Discord's client: its end job must leave it in place.
    const extendedUntil = new Date(Date.now() + 10 * 60_000).toISOString();
    const extension = await bot.api(memberPath(extended), {
      method: 'PATCH',
      body: JSON.stringify({ communication_disabled_until: extendedUntil }),
    });
    expect(extension.status).toBe(200);
    const caseOf = (userId: string) =>
      bot.prisma.modCase.findFirstOrThrow({ where: { targetId: BigInt(userId), action: 'timeout' } });
    const [extendedCase, endedCase] = await Promise.all([caseOf(extended), caseOf(ended)]);
    expect([extendedCase.endJobId, endedCase.endJobId]).toEqual([expect.any(String), expect.any(String)]);

    // Both ends pass with no scheduler running; the first scheduler to start runs them (kept in PostgreSQL).
    const lastEnd = Math.max(extendedCase.expiresAt?.getTime() ?? 0, endedCase.expiresAt?.getTime() ?? 0);
    await expect.poll(() => Date.now() > lastEnd, { timeout: 10_000, interval: 100 }).toBe(true);
    await schedulerRunning();
    await expect
      .poll(() => bot.prisma.modCase.count({ where: { action: 'timeout', endJobId: null } }), {
        timeout: 20_000,
        interval: 100,
      })
      .toBe(2);

    // Watched in the ledger: the clearing PATCH carries `communication_disabled_until: null`.
    const clears = bot.cluster.simulator.restCalls.filter(
      (call) =>
        call.method === 'PATCH' &&
        call.route.startsWith(`/guilds/${bot.guild.id}/members/`) &&
        (call.requestBody as { communication_disabled_until?: unknown }).communication_disabled_until ===
          null,
    );
    expect(clears.map((call) => [call.route, call.status, call.auditLogReason])).toEqual([
      [memberPath(ended), 200, `Timeout ended (case #${endedCase.number})`],
    ]);
    const untilOf = async (userId: string) =>
      ((await bot.api(memberPath(userId))).body as { communication_disabled_until: string | null })
        .communication_disabled_until;
    expect(await untilOf(ended)).toBeNull();
    expect(await untilOf(extended)).toBe(extendedUntil);
    // Discord ends a timeout by itself: its end closes the case without a case of its own.
    expect(await bot.prisma.modCase.count()).toBe(2);
  });

  it('rotates the presence on every shard as a periodic job: a new activity each slot', {
    timeout: 60_000,
  }, async () => {
    await schedulerRunning();
    const activities = (shardId: number) =>
      bot.cluster.simulator.presenceUpdates(shardId).map((record) => activityOf(record));
    // Three updates on each shard: two changes of slot.
    await expect
      .poll(
        () =>
          Array.from({ length: shardCount }, (_, shardId) => activities(shardId).length >= 3).every(Boolean),
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);
    for (let shardId = 0; shardId < shardCount; shardId += 1) {
      const records = bot.cluster.simulator.presenceUpdates(shardId);
      const names = records.map((record) => activityOf(record));
      // One update per slot and the next activity each time: a slot run twice would repeat its activity.
      for (let index = 1; index < names.length; index += 1) expect(names[index]).not.toBe(names[index - 1]);
      expect(new Set(names).size).toBeGreaterThanOrEqual(2);
      expect(records.every((record) => record.presence.status === 'online')).toBe(true);
      expect(records.slice(0, 3).every((record) => record.applied)).toBe(true);
      // Arrival gaps, not slots: a scheduler that starts late runs the slots it missed back to back.
      const gaps = records
        .slice(1)
        .map((record, index) => record.receivedAt - (records[index]?.receivedAt ?? 0));
      console.log(
        `[measure] presence rotation every ${rotationMs} ms, shard ${shardId}: gaps ${gaps.join(', ')} ms`,
      );
    }
    // The scheduler's history: each run its own slot (BullMQ derives the run's id from it), slots a
    // rotation apart, and no more runs than slots.
    const runtime = createPrismaClient({ databaseUrl: bot.cluster.databaseUrl, maxConnections: 1 });
    try {
      const runs = await runtime.scheduledJobRun.findMany({
        where: { jobName: 'presence-rotation' },
        orderBy: { startedAt: 'asc' },
      });
      const slots = runs.map((run) => Number(/:(\d+)$/.exec(run.jobId)?.[1]));
      expect(new Set(slots).size).toBe(runs.length);
      const slotGaps = slots.slice(1).map((slot, index) => slot - (slots[index] ?? 0));
      expect(slotGaps.every((gap) => gap > 0 && gap % rotationMs === 0)).toBe(true);
      expect(runs.filter((run) => run.outcome === 'succeeded').length).toBeGreaterThanOrEqual(3);
    } finally {
      await runtime.$disconnect();
    }
  });
});

/** The activity a presence update shows ("Watching …"). */
function activityOf(record: PresenceUpdateRecord): string {
  const [activity] = record.presence.activities;
  expect(activity?.type).toBe(ActivityType.Watching);
  return activity?.name ?? '';
}
