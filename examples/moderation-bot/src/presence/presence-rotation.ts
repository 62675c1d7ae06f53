import type { Bot } from '@dgc/bot-sdk';
import { ActivityType, PresenceUpdateStatus } from 'discord-api-types/v10';

const activities = ['/warn, /ban, /tempban', '/purge and /massban', '/remind me later', '/leaderboard'];
export const presenceRotationMs = 60_000;

/**
 * Rotates the bot's status line as a periodic job (one run per slot across scheduler replicas), sent as a
 * gateway presence update on every shard. The slot picks the activity, so a retried run shows the same one.
 */
export function addPresenceRotation(bot: Bot): void {
  bot.every('presence-rotation', presenceRotationMs, async ({ gateway, slot, logger }) => {
    const name = activities[Math.floor(slot.getTime() / presenceRotationMs) % activities.length] ?? '';
    const shards = await gateway.setPresence({
      since: null,
      activities: [{ name, type: ActivityType.Watching }],
      status: PresenceUpdateStatus.Online,
      afk: false,
    });
    logger.debug({ activity: name, shards }, 'presence rotated');
  });
}
