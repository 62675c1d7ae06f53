import type { DispatchData } from '@dgc/bot-sdk';
import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { MemberActivity, StarterBotClient } from './database.js';

/**
 * Messages per member per guild (the base of XP and activity features), in the starter bot's own table.
 * The event key is claimed in the runtime's `handled_event` table in the same statement as the increment,
 * so a redelivered MESSAGE_CREATE (retry, stalled job, gateway resume replay) never counts twice, and a
 * failure leaves neither write behind.
 */
export class MemberActivityStore {
  readonly #prisma: StarterBotClient;

  constructor(prisma: StarterBotClient) {
    this.#prisma = prisma;
  }

  /** Counts one message; bots', webhooks' and direct messages are not counted. */
  async recordMessage(message: DispatchData<GatewayDispatchEvents.MessageCreate>): Promise<void> {
    if (!message.guild_id || message.author.bot || message.webhook_id) return;
    const eventKey = `message-create:${message.id}`;
    const sentAt = new Date(message.timestamp);
    await this.#prisma.$executeRaw`
      WITH claimed AS (
        INSERT INTO public.handled_event (key) VALUES (${eventKey})
        ON CONFLICT (key) DO NOTHING
        RETURNING key
      )
      INSERT INTO starter_bot.member_activity (guild_id, user_id, message_count, last_message_at)
      SELECT ${BigInt(message.guild_id)}, ${BigInt(message.author.id)}, 1, ${sentAt} FROM claimed
      ON CONFLICT (guild_id, user_id) DO UPDATE
        SET message_count = member_activity.message_count + 1,
            last_message_at = GREATEST(member_activity.last_message_at, EXCLUDED.last_message_at)`;
  }

  activityOf(guildId: string, userId: string): Promise<MemberActivity | null> {
    return this.#prisma.memberActivity.findUnique({
      where: { guildId_userId: { guildId: BigInt(guildId), userId: BigInt(userId) } },
    });
  }
}
