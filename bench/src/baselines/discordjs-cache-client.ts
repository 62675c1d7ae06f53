/**
 * Baseline for the state cache's memory: a discord.js `Client` with its default caches, connected to the
 * same simulator (the same shards, guilds and GUILD_CREATE payloads as the project's gateway), holding the
 * world in its heap as a discord.js bot does. Logs `{"msg":"discord.js client holds every guild"}` once
 * every guild is cached and available; the benchmark reads its RSS from outside.
 */
import { Client, GatewayIntentBits } from 'discord.js';
import { z } from 'zod';

const env = z
  .object({
    DISCORD_TOKEN: z.string().min(1),
    DISCORD_API_URL: z.string().url(),
    GATEWAY_SHARD_COUNT: z.coerce.number().int().positive(),
    BENCH_GUILD_COUNT: z.coerce.number().int().positive(),
  })
  .parse(process.env);
const guildCount = env.BENCH_GUILD_COUNT;
const shardCount = env.GATEWAY_SHARD_COUNT;

const client = new Client({
  // The project's gateway's default intents: the same payloads reach both.
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
  rest: { api: env.DISCORD_API_URL },
  shardCount,
  shards: Array.from({ length: shardCount }, (_, shardId) => shardId),
});

const timer = setInterval(() => {
  const cached = client.guilds.cache;
  if (cached.size < guildCount || cached.some((guild) => !guild.available)) return;
  clearInterval(timer);
  console.log(
    JSON.stringify({
      msg: 'discord.js client holds every guild',
      guilds: cached.size,
      channels: client.channels.cache.size,
      users: client.users.cache.size,
    }),
  );
}, 50);

// A shard whose connection fails (a handshake timing out on a busy machine) reconnects; logged, not fatal.
client.on('shardError', (error, shardId) =>
  console.error(JSON.stringify({ msg: 'shard error', shardId, error: String(error) })),
);
process.on('uncaughtException', (error) =>
  console.error(JSON.stringify({ msg: 'uncaught', error: String(error) })),
);

process.on('SIGTERM', () => {
  clearInterval(timer);
  void client.destroy().finally(() => process.exit(0));
});

await client.login(env.DISCORD_TOKEN);
