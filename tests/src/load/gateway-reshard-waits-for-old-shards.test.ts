import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { pollUntil } from '@dgc/dev-tools/testing';
import { advanceReshard, readGenerationState, startReshard } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCluster,
  expectEveryMessageHandledOnce,
  leaseOwners,
  type TestCluster,
} from '../support/cluster.js';
import { launchService, startService } from '../support/services.js';

/** How long a switch used to wait for an old shard nobody ran before committing without it. */
const formerSwitchMaxMs = 30_000;

/**
 * The switch of a reshard commits only once every old shard confirmed it owes nothing from before the
 * switch time. An old shard whose gateway died (and that no other gateway may run) holds the commit until
 * a new owner resumes its session, which replays what it had not published: committing without it, as the
 * switch once did 30 s past the switch time, lost those messages. A quiet old shard (nothing past the
 * switch time comes to it) confirms with an acknowledged heartbeat instead of holding the switch.
 */
describe('a reshard waits for every old shard', () => {
  let cluster: TestCluster;
  let env: NodeJS.ProcessEnv;
  const gateways: ManagedProcess[] = [];

  beforeAll(async () => {
    cluster = await createTestCluster('reshard-wait', {
      shardCount: 4,
      guildCount: 24,
      maxConcurrency: 4,
      resumeWindowMs: 180_000,
      // Quiet shards confirm by heartbeat; Discord's 41 s interval would make the idle test slow.
      heartbeatIntervalMs: 1_000,
    });
    env = {
      ...cluster.env,
      GATEWAY_SHARD_COUNT: 'auto',
      WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts',
      GATEWAY_LEASE_TTL_MS: '3000',
    };
    cluster.processes.push(await startService('worker', env));
    // gateway-1 runs at most 3 shards of a set: with gateway-0 (2 old shards) killed it takes one of them,
    // and the other has no owner until a replacement starts.
    for (const [name, capacity] of [
      ['gateway-0', undefined],
      ['gateway-1', '3'],
    ] as const) {
      const gateway = await startService(
        'gateway',
        { ...env, ...(capacity ? { GATEWAY_SHARD_CAPACITY: capacity } : {}) },
        name,
      );
      gateways.push(gateway);
      cluster.processes.push(gateway);
    }
    // Every old shard runs before the reshard, 2 in each gateway.
    await pollUntil('each gateway holding 2 old shards', 60_000, async () => {
      const owners = [...(await leaseOwners(cluster, 4, 1)).values()];
      return owners.length === 4 &&
        gateways.every((gateway) => owners.filter((owner) => owner.includes(`:${gateway.pid}:`)).length === 2)
        ? true
        : undefined;
    });
    await pollUntil('every old shard connected', 60_000, () => {
      const connected = cluster.simulator
        .sessions()
        .filter((session) => session.shard[1] === 4 && session.state === 'connected');
      return new Set(connected.map((session) => session.shard[0])).size === 4 ? true : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  const redis = () => cluster.probe.redis;
  const reshardTo = async (shardCount: number) => {
    const started = await startReshard(redis(), cluster.keyPrefix, {
      toShardCount: shardCount,
      deadlineMs: 120_000,
    });
    if (!started.started) throw new Error(started.reason);
    return started.generation;
  };
  /** Steps the state machine as the CLI does until the reshard ended; resolves with when it did. */
  const reshardEnded = (timeoutMs: number) =>
    pollUntil(
      'the reshard ended',
      timeoutMs,
      async () => {
        const { phase } = await advanceReshard(redis(), cluster.keyPrefix);
        return phase === 'committed' || phase === 'rolled-back' || phase === 'none' ? Date.now() : undefined;
      },
      250,
    );

  it('holds the switch while an old shard has no owner, and commits once its next owner resumed it: nothing lost', {
    timeout: 150_000,
  }, async () => {
    const { simulator, keyPrefix } = cluster;
    const traffic = simulator.startTraffic({ eventsPerSecond: 300, mix: { MESSAGE_CREATE: 1 } });
    const generation = await reshardTo(2);
    const switchAt = await pollUntil('the switch time set', 60_000, async () => {
      await advanceReshard(redis(), keyPrefix);
      const state = await readGenerationState(redis(), keyPrefix);
      return state?.target?.phase === 'switching' ? state.target.switchAt : undefined;
    });
    // Killed before the switch time: its 2 old shards publish nothing from here on; gateway-1 takes one.
    const victim = gateways[0] as ManagedProcess;
    victim.kill();
    await victim.exited;
    // Well past the moment the switch used to commit without the shard: still switching.
    while (Date.now() < switchAt + formerSwitchMaxMs + 3_000) {
      const { phase } = await advanceReshard(redis(), keyPrefix);
      expect(phase).toBe('switching');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const owners = await leaseOwners(cluster, 4, 1);
    expect(owners.size).toBe(3);
    // Not waited for as ready: it becomes ready only once it runs what it took, the reshard's end is awaited.
    const replacement = launchService('gateway', env, 'gateway-0b');
    gateways[0] = replacement;
    cluster.processes.push(replacement);
    const endedAt = await reshardEnded(60_000);
    traffic.stop();
    const state = await readGenerationState(redis(), keyPrefix);
    expect(state?.active).toEqual({ generation, shardCount: 2 });
    const handled = await expectEveryMessageHandledOnce(cluster);
    console.log(
      `[measure] an old shard unowned from before the switch until ${((endedAt - switchAt) / 1_000).toFixed(1)} s past it: committed once resumed; ${handled} messages, each handled once`,
    );
  });

  it('lets quiet old shards confirm by heartbeat: an idle cluster switches soon after the switch time', {
    timeout: 90_000,
  }, async () => {
    const { keyPrefix } = cluster;
    await reshardTo(4);
    const switchAt = await pollUntil('the switch time set', 60_000, async () => {
      await advanceReshard(redis(), keyPrefix);
      const state = await readGenerationState(redis(), keyPrefix);
      return state?.target?.phase === 'switching' ? state.target.switchAt : undefined;
    });
    const endedAt = await reshardEnded(formerSwitchMaxMs);
    const state = await readGenerationState(redis(), keyPrefix);
    expect(state?.active.shardCount).toBe(4);
    // The grace (1.5 s), a heartbeat interval (1 s) and the gateways' polls; the former bound was 30 s.
    expect(endedAt - switchAt).toBeLessThan(10_000);
    console.log(
      `[measure] idle reshard 2 → 4: committed ${((endedAt - switchAt) / 1_000).toFixed(1)} s after the switch time`,
    );
  });
});
