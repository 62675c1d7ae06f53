import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { withRedisScripts } from '../redis/script-loader.js';

/**
 * A shard set: the shards 0..shardCount-1 of one generation. Generation 1 is created by the first gateway;
 * each reshard brings up the next one beside it and switches over (see the README, "Resharding").
 */
export interface ShardGeneration {
  generation: number;
  shardCount: number;
}

export type ReshardPhase = 'holding' | 'switching';

/** The generation record as the gateways and tools read it. */
export interface GenerationState {
  active: ShardGeneration;
  /** The set being brought up, during a reshard. */
  target?: ShardGeneration & {
    phase: ReshardPhase;
    startedAt: number;
    deadline: number;
    /** When the new set starts publishing and the old one stops (0 while holding). */
    switchAt: number;
  };
  /** What the last reshard ended with (switched or rolled back), and when. */
  last?: { outcome: string; at: number };
}

/**
 * The timing of a switch. `leadMs`: how far ahead of time the switch time is set, so every gateway (which
 * reads the record every `pollMs`) knows it before it comes. `graceMs`: how long after the switch time the
 * old set stays connected, so it receives every event created before it. The switch commits only once
 * every old shard confirmed, however long that takes (see advanceReshard-3.lua).
 */
export const reshardTiming = { leadMs: 1_000, graceMs: 1_500, pollMs: 250 } as const;

export async function readGenerationState(
  redis: Redis,
  keyPrefix: string,
): Promise<GenerationState | undefined> {
  const record = await redis.hgetall(new RedisKeys(keyPrefix).generationState());
  if (!record.active) return undefined;
  const state: GenerationState = {
    active: { generation: Number(record.active), shardCount: Number(record.activeShardCount) },
  };
  const target = Number(record.target ?? 0);
  if (target > 0) {
    state.target = {
      generation: target,
      shardCount: Number(record.targetShardCount),
      phase: record.phase === 'switching' ? 'switching' : 'holding',
      startedAt: Number(record.startedAt),
      deadline: Number(record.deadline),
      switchAt: Number(record.switchAt ?? 0),
    };
  }
  if (record.last) state.last = { outcome: record.last, at: Number(record.lastAt) };
  return state;
}

export interface ReshardProgress {
  phase: 'none' | ReshardPhase | 'committed' | 'rolled-back';
  /** New shards that have their guilds. */
  ready: number;
  /** Old shards that confirmed they saw past the switch time. */
  confirmed: number;
}

/** Runs one step of the reshard's state machine (advanceReshard-3.lua); any process may, any number of times. */
export async function advanceReshard(redis: Redis, keyPrefix: string): Promise<ReshardProgress> {
  const state = await readGenerationState(redis, keyPrefix);
  if (!state?.target) return { phase: 'none', ready: 0, confirmed: 0 };
  const keys = new RedisKeys(keyPrefix);
  const [phase, ready, confirmed] = await withRedisScripts(redis).advanceReshard(
    keys.generationState(),
    keys.generationReady(state.target.generation),
    keys.generationCutOver(state.active.generation),
    reshardTiming.leadMs,
    reshardTiming.graceMs,
    state.target.generation,
  );
  return { phase: phase as ReshardProgress['phase'], ready: Number(ready), confirmed: Number(confirmed) };
}

/** Readiness of each shard of a generation being brought up (shard id → 'identified' | 'ready'). */
export async function readReshardReadiness(
  redis: Redis,
  keyPrefix: string,
  generation: number,
): Promise<Map<number, string>> {
  const record = await redis.hgetall(new RedisKeys(keyPrefix).generationReady(generation));
  return new Map(Object.entries(record).map(([shardId, value]) => [Number(shardId), value]));
}

export type ReshardStart =
  | { started: true; generation: number; remainingStarts: number }
  | { started: false; reason: string };

/**
 * Starts a reshard to `toShardCount` after checking the session-start budget: the new set spends one
 * identify per shard, so fewer starts left than shards refuses (GET /gateway/bot as a gateway last read it,
 * at most a minute old while gateways run). The state machine then runs in every gateway.
 */
export async function startReshard(
  redis: Redis,
  keyPrefix: string,
  request: { toShardCount: number; deadlineMs: number },
): Promise<ReshardStart> {
  const { toShardCount, deadlineMs } = request;
  if (!Number.isInteger(toShardCount) || toShardCount < 1)
    return {
      started: false,
      reason: `the new shard count must be a whole number above 0, not ${toShardCount}`,
    };
  const keys = new RedisKeys(keyPrefix);
  const info = await redis.hgetall(keys.discordGatewayInfo());
  if (info.remaining === undefined)
    return { started: false, reason: 'no gateway has read the session-start budget (GET /gateway/bot) yet' };
  const remaining = Number(info.remaining);
  if (remaining < toShardCount) {
    const resetInS = Math.ceil((Number(info.resetAfter) - (Date.now() - Number(info.updatedAt))) / 1_000);
    return {
      started: false,
      reason: `only ${remaining} session starts are left (of ${info.total}; they reset in ${Math.max(0, resetInS)} s), and bringing up ${toShardCount} shards needs ${toShardCount}`,
    };
  }
  const [outcome, detail] = await withRedisScripts(redis).beginReshard(
    keys.generationState(),
    toShardCount,
    deadlineMs,
  );
  return outcome === 'started'
    ? { started: true, generation: Number(detail), remainingStarts: remaining }
    : { started: false, reason: String(detail) };
}
