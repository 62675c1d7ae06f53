/**
 * Baseline consumers for the end-to-end benchmark: a BullMQ `Worker` taking one job per event (`naive`), or
 * a `@discordjs/brokers` subscriber acking each event (`brokers`); both count with the same batched counter
 * as the project's bench bot.
 */
import { PubSubRedisBroker } from '@discordjs/brokers';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { baselineEnv } from './baseline-env.js';
import { createBatchedCounter } from './batched-counter.js';

const env = baselineEnv();
const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
const count = createBatchedCounter(redis, env.counterKey);
let close: () => Promise<unknown>;
if (env.mode === 'naive') {
  const worker = new Worker(
    env.queueName,
    async () => {
      count();
    },
    {
      connection: new Redis(env.redisUrl, { maxRetriesPerRequest: null }),
      prefix: env.keyPrefix,
      concurrency: env.concurrency,
      removeOnComplete: { count: 0 },
    },
  );
  await worker.waitUntilReady();
  close = () => worker.close();
} else {
  const broker = new PubSubRedisBroker<Record<string, unknown>>(
    new Redis(env.redisUrl, { maxRetriesPerRequest: null }),
    { group: env.group, maxChunk: env.concurrency },
  );
  broker.on(env.streamName, ({ ack }) => {
    count();
    void ack();
  });
  await broker.subscribe([env.streamName]);
  close = () => broker.destroy();
}
console.log(JSON.stringify({ msg: 'baseline consumer ready' }));
process.once('SIGTERM', () => {
  void close().finally(() => redis.quit().finally(() => process.exit(0)));
});
