import { type GenerationState, readGenerationState } from '../gateway/shard-generations.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

/** The shard generations and a reshard's progress, as the CLI and the dashboard show them. */
export interface GenerationsView {
  active: GenerationState['active'] | null;
  /** During a reshard: the new set, its phase, and how far it got. */
  reshard:
    | (NonNullable<GenerationState['target']> & {
        /** New shards READY with every guild received. */
        ready: number;
        /** New shards READY, still receiving their guilds. */
        identified: number;
        /** Old shards that confirmed they owe nothing from before the switch time. */
        cutOverConfirmed: number;
      })
    | null;
  last: GenerationState['last'] | null;
}

export async function readGenerations(redis: Redis, keyPrefix: string): Promise<GenerationsView> {
  const state = await readGenerationState(redis, keyPrefix);
  if (!state) return { active: null, reshard: null, last: null };
  const view: GenerationsView = { active: state.active, reshard: null, last: state.last ?? null };
  if (state.target) {
    const keys = new RedisKeys(keyPrefix);
    const [readiness, confirmed] = await Promise.all([
      redis.hvals(keys.generationReady(state.target.generation)),
      redis.hlen(keys.generationCutOver(state.active.generation)),
    ]);
    view.reshard = {
      ...state.target,
      ready: readiness.filter((value) => value === 'ready').length,
      identified: readiness.filter((value) => value === 'identified').length,
      cutOverConfirmed: confirmed,
    };
  }
  return view;
}

/** One line for terminals: `generation 1: 4 shards` or the reshard's progress. */
export function describeGenerations(view: GenerationsView, now = Date.now()): string {
  if (!view.active) return 'no shard generation yet (no gateway has started)';
  const active = `generation ${view.active.generation}: ${view.active.shardCount} shards`;
  const reshard = view.reshard;
  if (!reshard) return view.last ? `${active} (last reshard: ${view.last.outcome})` : active;
  const progress =
    reshard.phase === 'holding'
      ? `holding, ${reshard.ready}/${reshard.shardCount} ready (${reshard.identified} receiving guilds), rolls back in ${Math.max(0, Math.round((reshard.deadline - now) / 1_000))} s`
      : `switching at ${new Date(reshard.switchAt).toISOString()}, ${reshard.cutOverConfirmed}/${view.active.shardCount} old shards past it`;
  return `${active}; resharding to generation ${reshard.generation}: ${reshard.shardCount} shards, ${progress}`;
}
