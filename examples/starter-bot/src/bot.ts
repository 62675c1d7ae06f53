import { defineBot } from '@dgc/bot-sdk';
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { createActivityCommand } from './activity-command.js';
import { starterBotDatabase } from './database.js';
import { MemberActivityStore } from './member-activity.js';
import { pingCommand } from './ping-command.js';

/**
 * The example bot `npm start` runs (the worker's default when WORKER_BOT_MODULE is unset): `/ping`,
 * `/activity` and a per-member message counter kept in the bot's own tables.
 */
export default defineBot(starterBotDatabase, (bot, prisma) => {
  const activity = new MemberActivityStore(prisma);
  bot.command(pingCommand);
  bot.command(createActivityCommand(activity));
  bot.on(GatewayDispatchEvents.MessageCreate, (message) => activity.recordMessage(message));
});
