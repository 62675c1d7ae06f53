import type { DispatchData } from '@dgc/shared';
import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { HandlerContext } from './handler-context.js';

/**
 * Counts each member's messages per guild (the base of XP and activity features). The event key is claimed
 * in `handled_event` in the same statement as the increment, so a redelivered MESSAGE_CREATE (retry, stalled
 * job, gateway resume replay) never counts twice, and a failure leaves neither write behind.
 */
export async function recordMemberActivity(
  message: DispatchData<GatewayDispatchEvents.MessageCreate>,
  { prisma }: HandlerContext,
): Promise<void> {
  if (!message.guild_id || message.author.bot || message.webhook_id) return;
  const eventKey = `message-create:${message.id}`;
  const sentAt = new Date(message.timestamp);
  await prisma.$executeRaw`
    WITH claimed AS (
      INSERT INTO handled_event (key) VALUES (${eventKey})
      ON CONFLICT (key) DO NOTHING
      RETURNING key
    )
    INSERT INTO member_activity (guild_id, user_id, message_count, last_message_at)
    SELECT ${BigInt(message.guild_id)}, ${BigInt(message.author.id)}, 1, ${sentAt} FROM claimed
    ON CONFLICT (guild_id, user_id) DO UPDATE
      SET message_count = member_activity.message_count + 1,
          last_message_at = GREATEST(member_activity.last_message_at, EXCLUDED.last_message_at)`;
}
