import { BotModuleError } from './bot-module.js';

/** The example bot's package: what workers and schedulers run when WORKER_BOT_MODULE is unset. */
export const defaultBotPackage = '@dgc/starter-bot';

/**
 * The bot this deployment runs: WORKER_BOT_MODULE, or else the example bot, resolved here at run time (no
 * app depends on it, so a production image without the example must set WORKER_BOT_MODULE).
 */
export function botModuleLocation(configured: string | undefined): string {
  if (configured) return configured;
  try {
    return import.meta.resolve(defaultBotPackage);
  } catch (error) {
    throw new BotModuleError(
      `WORKER_BOT_MODULE is unset and the example bot ${defaultBotPackage} is not installed; set WORKER_BOT_MODULE`,
      { cause: error },
    );
  }
}
