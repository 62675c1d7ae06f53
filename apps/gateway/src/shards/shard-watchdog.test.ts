import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ShardWatchdog, type WatchedShard } from './shard-watchdog.js';

describe('ShardWatchdog', () => {
  it('reconnects stuck and silent shards, leaves quiet and healthy ones alone', async () => {
    const now = 1_000_000;
    const shards: WatchedShard[] = [
      { shardId: 0, state: 'waiting', stateSince: now - 61_000, lastEventAt: undefined, events: 0 },
      { shardId: 1, state: 'running', stateSince: now - 600_000, lastEventAt: now - 301_000, events: 5_000 },
      // Never busy: a quiet shard (few guilds) is not a silent feed.
      { shardId: 2, state: 'running', stateSince: now - 600_000, lastEventAt: now - 400_000, events: 3 },
      { shardId: 3, state: 'running', stateSince: now - 600_000, lastEventAt: now - 1_000, events: 9_000 },
      { shardId: 4, state: 'waiting', stateSince: now - 5_000, lastEventAt: undefined, events: 0 },
      // In the identify queue for minutes (a large cluster's start, or no session starts left): not stuck.
      {
        shardId: 5,
        state: 'waiting',
        stateSince: now - 300_000,
        lastEventAt: undefined,
        events: 0,
        awaitingIdentify: true,
      },
    ];
    const restarted: [number, string][] = [];
    const watchdog = new ShardWatchdog({
      shards: {
        snapshot: () => shards,
        restart: async (shardId, reason) => {
          restarted.push([shardId, reason]);
        },
      },
      logger: pino({ level: 'silent' }),
    });
    await watchdog.check(now);
    expect(restarted).toEqual([
      [0, 'stuck'],
      [1, 'silent'],
    ]);
    expect(watchdog.restarts).toEqual({ stuck: 1, silent: 1 });
  });
});
