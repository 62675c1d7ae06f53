import type { PresenceUpdateRecord } from '@dgc/discord-simulator';
import { ActivityType } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  const memberId = (index: number) => bot.guild.members[index]?.user.id ?? '';

  beforeAll(async () => {
    bot = await startModerationCluster('modbot-scheduled', {
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

  it('ends a timeout at its end through its delayed job, unless it was extended since', {
    timeout: 45_000,
  }, async () => {
    const [moderator, target] = [memberId(2), memberId(12)];
    await bot.giveModeratorRole(moderator);
    const memberPath = `/guilds/${bot.guild.id}/members/${target}`;
    const first = bot.run('timeout', moderator, {
      user: { user: target },
      duration: '2s',
      reason: 'calm down',
    });
    await bot.answerMatching(first, /^Case #1: timeout/);
    // Extended before the first end: that end's job must leave the member timed out.
    const second = bot.run('timeout', moderator, {
      user: { user: target },
      duration: '6s',
      reason: 'still at it',
    });
    await bot.answerMatching(second, /^Case #2: timeout/);
    const [timeout1, timeout2] = await bot.prisma.modCase.findMany({ orderBy: { number: 'asc' } });
    expect(timeout1?.endJobId).toEqual(expect.any(String));
    expect(timeout2?.endJobId).toEqual(expect.any(String));
    // Watched in the ledger: the clearing PATCH carries `communication_disabled_until: null`.
    const clears = () =>
      bot.cluster.simulator.restCalls.filter(
        (call) =>
          call.method === 'PATCH' &&
          call.route === memberPath &&
          (call.requestBody as { communication_disabled_until?: unknown }).communication_disabled_until ===
            null,
      );

    await expect
      .poll(() => bot.prisma.modCase.findFirst({ where: { number: 1 } }), { timeout: 15_000, interval: 100 })
      .toMatchObject({ endJobId: null });
    expect(clears()).toEqual([]);
    const { body: stillTimedOut } = await bot.api(memberPath);
    expect((stillTimedOut as { communication_disabled_until: string }).communication_disabled_until).toBe(
      timeout2?.expiresAt?.toISOString(),
    );

    await expect
      .poll(() => bot.prisma.modCase.findFirst({ where: { number: 2 } }), { timeout: 15_000, interval: 100 })
      .toMatchObject({ endJobId: null });
    expect(clears().map((call) => [call.status, call.auditLogReason])).toEqual([
      [200, 'Timeout ended (case #2)'],
    ]);
    expect(clears()[0]?.receivedAt).toBeGreaterThanOrEqual(timeout2?.expiresAt?.getTime() ?? Infinity);
    const { body: member } = await bot.api(memberPath);
    expect((member as { communication_disabled_until: unknown }).communication_disabled_until).toBeNull();
    // Discord ends a timeout by itself: its end closes the case without a case of its own.
    expect(await bot.prisma.modCase.count()).toBe(2);
  });

  it('rotates the presence on every shard as a periodic job: a new activity each slot', {
    timeout: 30_000,
  }, async () => {
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
      // Slots a rotation apart (give or take the scheduler's and the gateway's scheduling).
      const gaps = records
        .slice(1)
        .map((record, index) => record.receivedAt - (records[index]?.receivedAt ?? 0));
      console.log(
        `[measure] presence rotation every ${rotationMs} ms, shard ${shardId}: gaps ${gaps.join(', ')} ms`,
      );
    }
  });
});

/** The activity a presence update shows ("Watching …"). */
function activityOf(record: PresenceUpdateRecord): string {
  const [activity] = record.presence.activities;
  expect(activity?.type).toBe(ActivityType.Watching);
  return activity?.name ?? '';
}
