/**
 * `npm run commands -- register [--guild <id>]`: registers the bot's slash commands (WORKER_BOT_MODULE,
 * as the workers load it) with Discord, only when they changed, and prints the difference. Goes through the
 * cluster's shared REST limits, so it is safe to run beside a live cluster.
 */
import { botModuleLocation, describeDifference, loadBotModule } from '@dgc/bot-sdk/runtime';
import { openSharedRest } from '@dgc/rest';
import { createLogger, loadConfigOrExit } from '@dgc/shared';
import { registerBotCommands } from './bot/register-bot-commands.js';
import { workerEnvSchema } from './config.js';

const usage = `usage: npm run commands -- register [--guild <guild id>]

  register             make Discord's global commands the bot's (one bulk overwrite, only if they differ)
  --guild <guild id>   the guild's commands instead (default: REGISTER_COMMANDS_GUILD_ID, else global)`;

const [command, ...args] = process.argv.slice(2);
if (command !== 'register') {
  console.error(usage);
  process.exit(command === undefined || command === '--help' ? 0 : 64);
}
const guildFlag = args.indexOf('--guild');
const guildArgument = guildFlag >= 0 ? args[guildFlag + 1] : undefined;
if (guildFlag >= 0 && !/^\d{17,20}$/.test(guildArgument ?? '')) {
  console.error(`--guild needs a guild id (a snowflake), got "${guildArgument ?? ''}"\n\n${usage}`);
  process.exit(64);
}
const config = loadConfigOrExit('commands', workerEnvSchema);
const logger = createLogger({ name: 'commands', level: config.LOG_LEVEL, secrets: [config.DISCORD_TOKEN] });
const guildId = guildArgument ?? config.REGISTER_COMMANDS_GUILD_ID;
const bot = await loadBotModule(botModuleLocation(config.WORKER_BOT_MODULE), {
  database: { databaseUrl: config.DATABASE_URL, maxConnections: 1 },
});
const workerRest = await openSharedRest(config, {
  connectionName: 'commands:rest-limits',
  requestTimeoutMs: config.DISCORD_REST_TIMEOUT_MS,
  logger,
});
try {
  const result = await registerBotCommands({
    rest: workerRest.rest,
    registry: bot.registry,
    ...(guildId ? { guildId } : {}),
  });
  const scope = guildId ? `guild ${guildId}` : 'global';
  console.log(`${scope} commands of application ${result.applicationId}:`);
  console.log(describeDifference(result.difference));
  console.log(result.overwritten ? 'sent one bulk overwrite' : 'nothing sent');
} catch (error) {
  console.error(`command registration failed: ${(error as Error).message}`);
  process.exitCode = 69;
} finally {
  await Promise.allSettled([workerRest.close(), bot.close()]);
}
