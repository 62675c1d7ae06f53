import type { Bot } from '@dgc/bot-sdk';
import { ActivityType, PresenceUpdateStatus } from 'discord-api-types/v10';

/** What the bot shows, in turn. */
export const presenceActivities = [
  '/warn, /ban, /tempban',
  '/purge and /massban',
  '/remind me later',
  '/leaderboard',
] as const;

/** The activity of the slot starting at `slot`: each slot the next one, so two slots never show the same. */
export function activityForSlot(slot: Date, everyMs: number): string {
  return presenceActivities[Math.floor(slot.getTime() / everyMs) % presenceActivities.length] ?? '';
}

/**
 * Rotates the bot's status line as a periodic job (one run per slot across scheduler replicas), sent as a
 * gateway presence update on every shard. The slot picks the activity, so a retried run shows the same one.
 */
export function addPresenceRotation(bot: Bot, settings: { everyMs: number }): void {
  const { everyMs } = settings;
  bot.every('presence-rotation', everyMs, async ({ gateway, slot, logger }) => {
    const name = activityForSlot(slot, everyMs);
    const shards = await gateway.setPresence({
      since: null,
      activities: [{ name, type: ActivityType.Watching }],
      status: PresenceUpdateStatus.Online,
      afk: false,
    });
    logger.debug({ activity: name, shards }, 'presence rotated');
  });
}
