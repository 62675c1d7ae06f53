import { randomUUID } from 'node:crypto';
import {
  advanceReshard,
  createLogger,
  createRedisConnection,
  RedisKeys,
  readGenerationState,
  reshardTiming,
  singleRedis,
  startReshard,
} from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import { afterAll, describe, expect, it } from 'vitest';
import { CutOverGate, confirmsCutOver } from '../dispatch/cut-over-gate.js';
import { joinShardGeneration, ShardCountMismatchError } from './shard-generation-guard.js';

const redis = createRedisConnection({
  target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  connectionName: 'test:shard-generations',
});
const logger = createLogger({ name: 'test', level: 'silent' });
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `test:generations:${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(new RedisKeys(prefix).everything());
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

const join = (keyPrefix: string, configured: number | null, recommended = 5) =>
  joinShardGeneration({ redis, keyPrefix, configured, recommended: async () => recommended, logger });

/** A gateway's copy of GET /gateway/bot, as `startReshard` checks the budget against. */
const budget = (keyPrefix: string, remaining: number) =>
  redis.hset(new RedisKeys(keyPrefix).discordGatewayInfo(), {
    shards: 8,
    remaining,
    total: 1_000,
    resetAfter: 60_000,
    maxConcurrency: 1,
    updatedAt: Date.now(),
  });

describe('the shard generation guard', () => {
  it('creates generation 1, admits the same count and auto, and refuses another count naming both', async () => {
    const keyPrefix = newPrefix();
    expect((await join(keyPrefix, null, 3)).active).toEqual({ generation: 1, shardCount: 3 });
    expect((await join(keyPrefix, 3)).active).toEqual({ generation: 1, shardCount: 3 });
    expect((await join(keyPrefix, null, 9)).active).toEqual({ generation: 1, shardCount: 3 });
    const refused = join(keyPrefix, 4);
    await expect(refused).rejects.toBeInstanceOf(ShardCountMismatchError);
    await expect(refused).rejects.toThrow(/GATEWAY_SHARD_COUNT=4 .* runs 3 shards/);
    await expect(refused).rejects.toMatchObject({ exitCode: 78 });
    await budget(keyPrefix, 100);
    expect(await startReshard(redis, keyPrefix, { toShardCount: 4, deadlineMs: 60_000 })).toMatchObject({
      started: true,
      generation: 2,
    });
    // Configured with the count of the reshard under way: it joins it.
    expect((await join(keyPrefix, 4)).target).toMatchObject({
      generation: 2,
      shardCount: 4,
      phase: 'holding',
    });
  });
});

describe('the reshard state machine', () => {
  it('refuses without enough session starts, and while another reshard runs', async () => {
    const keyPrefix = newPrefix();
    await join(keyPrefix, 2);
    expect(await startReshard(redis, keyPrefix, { toShardCount: 4, deadlineMs: 60_000 })).toMatchObject({
      started: false,
      reason: expect.stringContaining('session-start budget'),
    });
    await budget(keyPrefix, 3);
    expect(await startReshard(redis, keyPrefix, { toShardCount: 4, deadlineMs: 60_000 })).toMatchObject({
      started: false,
      reason: expect.stringContaining('only 3 session starts are left'),
    });
    await budget(keyPrefix, 4);
    expect(await startReshard(redis, keyPrefix, { toShardCount: 4, deadlineMs: 60_000 })).toMatchObject({
      started: true,
    });
    expect(await startReshard(redis, keyPrefix, { toShardCount: 3, deadlineMs: 60_000 })).toMatchObject({
      started: false,
      reason: expect.stringContaining('under way'),
    });
  });

  it('rolls back when the new set is not ready by the deadline', async () => {
    const keyPrefix = newPrefix();
    await join(keyPrefix, 2);
    await budget(keyPrefix, 100);
    await startReshard(redis, keyPrefix, { toShardCount: 4, deadlineMs: 100 });
    await redis.hset(new RedisKeys(keyPrefix).generationReady(2), '0', 'ready');
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('holding');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await advanceReshard(redis, keyPrefix)).toMatchObject({ phase: 'rolled-back', ready: 1 });
    const state = await readGenerationState(redis, keyPrefix);
    expect(state?.active).toEqual({ generation: 1, shardCount: 2 });
    expect(state?.target).toBeUndefined();
    expect(state?.last?.outcome).toContain('rolled back');
  });

  it('switches once every new shard is ready, and commits once every old shard saw past the switch', async () => {
    const keyPrefix = newPrefix();
    const keys = new RedisKeys(keyPrefix);
    await join(keyPrefix, 2);
    await budget(keyPrefix, 100);
    await startReshard(redis, keyPrefix, { toShardCount: 3, deadlineMs: 60_000 });
    await redis.hset(keys.generationReady(2), { 0: 'ready', 1: 'ready', 2: 'identified' });
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('holding');
    await redis.hset(keys.generationReady(2), '2', 'ready');
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('switching');
    const switching = await readGenerationState(redis, keyPrefix);
    expect(switching?.target?.switchAt).toBeGreaterThan(Date.now());
    await redis.hset(keys.generationCutOver(1), '0', Date.now());
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('switching');
    await redis.hset(keys.generationCutOver(1), '1', Date.now());
    // Both confirmed, but the grace after the switch time has not passed yet.
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('switching');
    await new Promise((resolve) =>
      setTimeout(resolve, (switching?.target?.switchAt ?? 0) + 1_600 - Date.now()),
    );
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('committed');
    expect((await readGenerationState(redis, keyPrefix))?.active).toEqual({ generation: 2, shardCount: 3 });
  });

  it('never commits without an old shard that did not confirm (no process runs it), however long past the switch', async () => {
    const keyPrefix = newPrefix();
    const keys = new RedisKeys(keyPrefix);
    await join(keyPrefix, 2);
    await budget(keyPrefix, 100);
    await startReshard(redis, keyPrefix, { toShardCount: 3, deadlineMs: 60_000 });
    await redis.hset(keys.generationReady(2), { 0: 'ready', 1: 'ready', 2: 'ready' });
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('switching');
    // Shard 1 of the old set has no owner: only shard 0 confirms. An hour passes.
    await redis.hset(keys.generationCutOver(1), '0', Date.now());
    await redis.hset(keys.generationState(), 'switchAt', Date.now() - 3_600_000);
    expect(await advanceReshard(redis, keyPrefix)).toMatchObject({ phase: 'switching', confirmed: 1 });
    expect((await readGenerationState(redis, keyPrefix))?.active).toEqual({ generation: 1, shardCount: 2 });
    // Its next owner resumes it, replays what it owed from before the switch and confirms: the switch commits.
    await redis.hset(keys.generationCutOver(1), '1', Date.now());
    expect((await advanceReshard(redis, keyPrefix)).phase).toBe('committed');
  });
});

describe('the cut-over rule', () => {
  const discordEpochMs = 1_420_070_400_000n;
  const message = (createdAt: number, sequence: number) =>
    ({
      op: 0,
      t: 'MESSAGE_CREATE',
      s: sequence,
      d: { id: String((BigInt(createdAt) - discordEpochMs) << 22n) },
    }) as unknown as GatewayDispatchPayload;

  it('publishes each event with a creation snowflake from exactly one set', () => {
    const switchAt = Date.now();
    const old = new CutOverGate({ kind: 'before', switchAt });
    const next = new CutOverGate({ kind: 'from', switchAt });
    const times = [switchAt - 2, switchAt - 1, switchAt, switchAt + 1];
    for (const [index, time] of times.entries()) {
      const event = message(time, index + 1);
      expect(Number(old.publishes(event, 0)) + Number(next.publishes(event, 0))).toBe(1);
    }
    expect(old.pastSwitchFrom(0)).toBe(3);
    expect(new CutOverGate({ kind: 'none' }).publishes(message(switchAt, 1), 0)).toBe(false);
  });

  it('has an old shard confirm once it owes nothing from before the switch time, a quiet one by a heartbeat', () => {
    const switchAt = Date.now();
    const afterGrace = switchAt + reshardTiming.graceMs;
    const connection = (ackedHeartbeatSentAt: number | undefined, lastSequence = 7, connected = true) => ({
      connected,
      lastSequence,
      ackedHeartbeatSentAt,
    });
    // Saw an event past the switch time (sequence 40): confirms once everything up to it is published.
    expect(
      confirmsCutOver({ pastSwitchFrom: 40, watermark: 39, connection: connection(undefined) }, switchAt),
    ).toBe(false);
    expect(
      confirmsCutOver({ pastSwitchFrom: 40, watermark: 40, connection: connection(undefined) }, switchAt),
    ).toBe(true);
    // Nothing past the switch time came: a heartbeat sent after the grace and acknowledged proves nothing
    // from before it is still on its way; one sent earlier proves nothing (a lagging process may not have
    // read what is in its socket).
    const quiet = (ackedAt: number | undefined, watermark = 7, lastSequence = 7, connected = true) =>
      confirmsCutOver(
        { pastSwitchFrom: undefined, watermark, connection: connection(ackedAt, lastSequence, connected) },
        switchAt,
      );
    expect(quiet(undefined)).toBe(false);
    expect(quiet(afterGrace - 1)).toBe(false);
    expect(quiet(afterGrace)).toBe(true);
    // Still publishing what it received, reconnecting, or not run here: not yet.
    expect(quiet(afterGrace, 6, 7)).toBe(false);
    expect(quiet(afterGrace, 7, 7, false)).toBe(false);
    expect(
      confirmsCutOver({ pastSwitchFrom: undefined, watermark: 7, connection: undefined }, switchAt),
    ).toBe(false);
  });

  it('has a holding set publish what may be past a switch time it has not read yet, so nothing is lost', () => {
    // The last poll (at readAt) found the reshard holding; the switch time was set just after it, at
    // Redis's time plus the lead, and this process has not polled since (a stalled event loop).
    const readAt = Date.now();
    const switchAt = readAt + 1_000;
    const holding = new CutOverGate({ kind: 'none' });
    holding.noSwitchBefore = readAt + 750;
    const old = new CutOverGate({ kind: 'before', switchAt });
    const published = (event: GatewayDispatchPayload) =>
      Number(old.publishes(event, 0)) + Number(holding.publishes(event, 0));
    // Surely before any switch: the old set's alone.
    expect(published(message(readAt + 100, 1))).toBe(1);
    // Past the switch: the old set skips it, so the holding set must publish it (not skip it for good).
    expect(published(message(switchAt + 5, 2))).toBe(1);
    // Between the bound and the switch: both publish; the workers' dedupe drops the double.
    expect(published(message(readAt + 900, 3))).toBe(2);
    expect(holding.takeUndecided()).toBe(2);
    expect(holding.takeUndecided()).toBe(0);
  });
});
