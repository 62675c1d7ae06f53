import { RedisKeys } from '@dgc/shared';
import { BenchCluster } from './harness/bench-cluster.js';

const eventsPerSecond = 5_000;
const seconds = 10;

/**
 * Redis writes that session tracking costs while a gateway (4 shards) forwards 5,000 MESSAGE_CREATE/s:
 * every write to a session key, counted through Redis keyspace notifications over the run (switched on
 * for hash commands for the run, and back to what they were after).
 */
export async function runSessionWrites() {
  const cluster = await BenchCluster.start(
    'session-writes',
    { shardCount: 4, guildCount: 40 },
    { database: false },
  );
  const subscriber = cluster.redis.duplicate();
  const [, previous = ''] = (await cluster.redis.config('GET', 'notify-keyspace-events')) as string[];
  await cluster.redis.config('SET', 'notify-keyspace-events', `${previous}Kh`);
  try {
    await cluster.startApp('gateway', { GATEWAY_EVENTS: 'MESSAGE_CREATE' });
    let sessionWrites = 0;
    let counting = false;
    subscriber.on('pmessage', () => {
      if (counting) sessionWrites += 1;
    });
    await subscriber.psubscribe(`__keyspace@0__:${new RedisKeys(cluster.keyPrefix).shardSessionPattern()}`);
    counting = true;
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond, mix: { MESSAGE_CREATE: 1 } });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
    const report = traffic.stop();
    counting = false;
    return {
      eventsPerSecond: report.achievedPerSecond,
      seconds,
      sessionWritesPerSecond: sessionWrites / seconds,
      writesPer1000Events: (sessionWrites / report.sent) * 1_000,
    };
  } finally {
    await cluster.redis.config('SET', 'notify-keyspace-events', previous);
    subscriber.disconnect();
    await cluster.close();
  }
}
