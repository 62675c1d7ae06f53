import { z } from 'zod';

const schema = z.object({
  BASELINE: z.enum(['naive', 'brokers']),
  REDIS_URL: z.string().url(),
  REDIS_KEY_PREFIX: z.string().min(1),
  DISCORD_TOKEN: z.string().min(1),
  DISCORD_API_URL: z.string().url(),
  GATEWAY_SHARD_COUNT: z.coerce.number().int().positive(),
  BASELINE_CONCURRENCY: z.coerce.number().int().positive().default(50),
});

/** The baseline processes' settings, from the same variables the project's apps read. */
export function baselineEnv() {
  const env = schema.parse(process.env);
  return {
    mode: env.BASELINE,
    redisUrl: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    token: env.DISCORD_TOKEN,
    apiUrl: env.DISCORD_API_URL,
    shardCount: env.GATEWAY_SHARD_COUNT,
    concurrency: env.BASELINE_CONCURRENCY,
    queueName: 'baseline-events',
    // @discordjs/brokers uses the event name as the stream key: prefixing it keeps runs apart.
    streamName: `${env.REDIS_KEY_PREFIX}:MESSAGE_CREATE`,
    group: 'baseline-consumers',
    counterKey: `${env.REDIS_KEY_PREFIX}:count:MESSAGE_CREATE`,
  };
}
