import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { DiscordGatewayInfo, gatewayEnvSchema, RedisSessionStore, ShardConnections } from '@dgc/gateway';
import { createLogger, createRedisConnection, RedisKeys, redisTargetOf, TaskMonitor } from '@dgc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { redisUrl, simulatorToken, uniqueKeyPrefix } from './support/services.js';

const simulator = await DiscordSimulator.start({
  token: simulatorToken,
  shardCount: 1,
  guildCount: 2,
  seed: 7,
  resumeWindowMs: 60_000,
});
const keyPrefix = uniqueKeyPrefix('stopped-shard');
const config = gatewayEnvSchema.parse({
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: keyPrefix,
  DISCORD_TOKEN: simulatorToken,
  DISCORD_API_URL: simulator.restUrl,
  GATEWAY_SHARD_COUNT: '1',
});
const redis = createRedisConnection({ target: redisTargetOf(config), connectionName: 'test:stopped-shard' });
const logger = createLogger({ name: 'gateway', level: 'silent' });
const tasks = new TaskMonitor({ logger });
const sessions = new RedisSessionStore({ redis, keyPrefix, generation: 1, logger });

afterAll(async () => {
  await tasks.stop();
  await sessions.close().catch(() => {});
  await simulator.stop();
  const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('a shard stopped by its process', () => {
  it('stays stopped when stopped while it waits to reconnect: it does not resume the session its next owner runs', {
    timeout: 30_000,
  }, async () => {
    let onClosed = () => {};
    const routed: number[] = [];
    const connections = new ShardConnections({
      config,
      generation: 1,
      shardCount: 1,
      gatewayInformation: () => new DiscordGatewayInfo({ config, redis, logger }).read(),
      redis,
      sessions,
      tasks,
      logger,
      router: { route: (dispatch) => routed.push(dispatch.s) },
      counters: { connection: (milestone) => milestone === 'closed' && onClosed() },
    });
    await connections.start(0);
    expect(simulator.sessions().map((session) => session.state)).toEqual(['connected']);

    // The server closes the connection as it does when the session is resumed on another one (a process
    // resumed after SIGSTOP finds this), and the shard waits half a second to resume...
    const closed = new Promise<void>((resolve) => {
      onClosed = resolve;
    });
    simulator.faults.dropConnection(0, { code: 4000 });
    await closed;
    // ...once its close handler has run to that wait, the process stops the shard (its lease was lost).
    await setImmediate();
    await connections.stop(0, 'lease lost');
    const routedWhenStopped = routed.length;

    // An observation window, not a synchronisation: a leaked reconnect resumes within about a second, and
    // would route these (to a process that, holding the shard again later, would count them towards the
    // shard's watermark after dropping others).
    await sleep(1_000);
    simulator.injectMessageCreates(20);
    await sleep(1_000);
    const [session] = simulator.sessions();
    expect(session?.state).toBe('resumable');
    expect(session?.resumeCount).toBe(0);
    expect(routed.length).toBe(routedWhenStopped);
  });
});
