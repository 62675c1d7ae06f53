import {
  databaseEnvShape,
  discordEnvShape,
  envGroup,
  loggingEnvShape,
  positiveInt,
  redisEnvShape,
  variable,
} from '@dgc/shared';
import { z } from 'zod';

/**
 * `npm start`: what the local cluster launcher reads itself. The processes it starts read their own
 * variables from the same environment (it passes it on).
 */
export const localClusterEnvSchema = z.object({
  LOG_FORMAT: loggingEnvShape.LOG_FORMAT,
  REDIS_URL: redisEnvShape.REDIS_URL,
  DATABASE_URL: databaseEnvShape.DATABASE_URL,
  // Unset is the normal case here: the launcher then starts the simulator.
  DISCORD_TOKEN: discordEnvShape.DISCORD_TOKEN.optional(),
  ...envGroup('npm start (local cluster launcher)', {
    LOCAL_BOT: variable(
      z.enum(['moderation', 'starter']).default('moderation'),
      'The example bot `npm start` runs: moderation (examples/moderation-bot) or starter (examples/starter-bot); WORKER_BOT_MODULE, when set, wins.',
    ),
    LOCAL_WORKERS: variable(positiveInt(2), 'Worker processes `npm start` starts.'),
    LOCAL_SHARDS: variable(
      positiveInt(2),
      'Shards of the simulated bot (only without DISCORD_TOKEN); all of them identify at once.',
    ),
    LOCAL_GUILDS: variable(positiveInt(20), 'Guilds of the simulated bot (only without DISCORD_TOKEN).'),
    LOCAL_PING_EVERY_MS: variable(
      positiveInt(5_000),
      "The simulator plays a user running one of the bot's commands this often (ms), so you can watch the round trip (only without DISCORD_TOKEN).",
    ),
  }),
});

export type LocalClusterEnv = z.output<typeof localClusterEnvSchema>;
