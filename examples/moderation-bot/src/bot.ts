import { defineBot } from '@dgc/bot-sdk';
import { createCaseBrowseCommands } from './cases/case-browse-commands.js';
import { createCaseCommands } from './cases/case-commands.js';
import { CaseStore } from './cases/case-store.js';
import { moderationBotDatabase } from './database.js';
import { addMassBan } from './mass/massban.js';
import { addPurge } from './mass/purge.js';
import { createConfigCommand } from './modlog/config-command.js';
import { GuildConfigStore } from './modlog/guild-config.js';
import { addMessageHandlers } from './modlog/message-log.js';
import { ModLog } from './modlog/mod-log.js';
import { pingCommand } from './ping-command.js';
import { addPresenceRotation } from './presence/presence-rotation.js';
import { addReminders } from './reminders/reminder-commands.js';
import { ReminderStore } from './reminders/reminder-store.js';
import { readModerationBotSettings } from './settings.js';
import { addTimedEndJobs } from './timed/timed-end-jobs.js';
import { createXpCommands } from './xp/xp-commands.js';
import { XpStore } from './xp/xp-store.js';

/**
 * A Tux-style moderation bot, written against the SDK's public API only: numbered cases with hierarchy
 * checks through the shared cache, temp bans and timeouts ended by durable delayed jobs, mass ban and purge as
 * bulk jobs with progress, exactly-once reminders, XP, a mod log and a rotating presence.
 */
export default defineBot(moderationBotDatabase, (bot, prisma) => {
  const settings = readModerationBotSettings(process.env);
  const cases = new CaseStore(prisma);
  const config = new GuildConfigStore(prisma);
  const modlog = new ModLog(config);
  const xp = new XpStore(prisma);
  const caseBrowsing = createCaseBrowseCommands(cases);
  for (const component of caseBrowsing.components) bot.component(component);
  for (const command of [
    ...createCaseCommands({ cases, modlog }),
    ...caseBrowsing.commands,
    ...createXpCommands(xp),
    createConfigCommand(config),
    pingCommand,
  ])
    bot.command(command);
  addTimedEndJobs(bot, { cases, modlog });
  addMassBan(bot);
  addPurge(bot);
  addReminders(bot, new ReminderStore(prisma));
  addMessageHandlers(bot, { prisma, xp, config, modlog });
  addPresenceRotation(bot, { everyMs: settings.MODERATION_BOT_PRESENCE_ROTATION_MS });
});
