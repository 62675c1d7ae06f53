/**
 * Baseline gateways for the end-to-end benchmark, fed by the same simulator as the project's gateway:
 * `@discordjs/ws` shards forwarding every MESSAGE_CREATE either as one BullMQ job each (`naive`) or through
 * `@discordjs/brokers` (`brokers`), the way a bot author would write them.
 */
import { PubSubRedisBroker } from '@discordjs/brokers';
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { Queue } from 'bullmq';
import { GatewayDispatchEvents, GatewayIntentBits } from 'discord-api-types/v10';
import { Redis } from 'ioredis';
import { baselineEnv } from './baseline-env.js';

const env = baselineEnv();
const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
const publish: (payload: unknown) => Promise<unknown> =
  env.mode === 'naive'
    ? (() => {
        const queue = new Queue(env.queueName, { connection: redis, prefix: env.keyPrefix });
        return (payload) =>
          queue.add('MESSAGE_CREATE', payload, { removeOnComplete: true, removeOnFail: 1_000 });
      })()
    : (() => {
        const broker = new PubSubRedisBroker<Record<string, unknown>>(redis, { group: env.group });
        return (payload) => broker.publish(env.streamName, payload);
      })();

const manager = new WebSocketManager({
  token: env.token,
  intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages,
  rest: new REST({ api: env.apiUrl, version: '10' }).setToken(env.token),
  shardCount: env.shardCount,
  compression: null,
});
let ready = 0;
manager.on(WebSocketShardEvents.Ready, () => {
  ready += 1;
  if (ready === env.shardCount) console.log(JSON.stringify({ msg: 'baseline gateway ready' }));
});
manager.on(WebSocketShardEvents.Dispatch, (event) => {
  if (event.t !== GatewayDispatchEvents.MessageCreate) return;
  publish(event.d).catch((error: unknown) =>
    console.error(JSON.stringify({ msg: 'publish failed', error: String(error) })),
  );
});
process.once('SIGTERM', () => {
  void Promise.resolve(manager.destroy()).finally(() => redis.quit().finally(() => process.exit(0)));
});
await manager.connect();
