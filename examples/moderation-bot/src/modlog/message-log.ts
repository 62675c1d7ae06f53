import type { Bot, DispatchData, HandlerContext } from '@dgc/bot-sdk';
import { GatewayDispatchEvents, Routes } from 'discord-api-types/v10';
import type { ModerationBotClient } from '../database.js';
import { levelFor, type XpStore } from '../xp/xp-store.js';
import type { GuildConfigStore } from './guild-config.js';
import type { ModLog } from './mod-log.js';

/** How long message content is kept for the mod log's deletion posts. */
export const keptMessageRetentionMs = 24 * 3_600_000;
const configCacheMs = 30_000;

/**
 * What the bot does with messages: XP (with level-up announcements), and in guilds with a mod log their
 * content kept for a day, so a MESSAGE_DELETE can be posted with what was deleted. The mod-log setting is
 * read at most every 30 s per guild and process, not per message.
 */
export function addMessageHandlers(
  bot: Bot,
  dependencies: { prisma: ModerationBotClient; xp: XpStore; config: GuildConfigStore; modlog: ModLog },
): void {
  const { prisma, xp, config, modlog } = dependencies;
  const modlogOf = new Map<string, { channelId: string | undefined; readAt: number }>();
  const modlogChannel = async (guildId: string) => {
    const known = modlogOf.get(guildId);
    if (known && Date.now() - known.readAt < configCacheMs) return known.channelId;
    const channelId = await config.modlogChannel(guildId);
    if (modlogOf.size > 10_000) modlogOf.clear();
    modlogOf.set(guildId, { channelId, readAt: Date.now() });
    return channelId;
  };

  bot.on(GatewayDispatchEvents.MessageCreate, async (message, context) => {
    if (!message.guild_id || message.author.bot || message.webhook_id) return;
    const guildId = message.guild_id;
    const sentAt = new Date(message.timestamp);
    // Independent: the award and the content kept for the mod log run together.
    const gain = 15 + Math.floor(Math.random() * 11);
    const [awarded] = await Promise.all([
      xp.award(guildId, message.author.id, gain, sentAt),
      keepContent(message, guildId, sentAt),
    ]);
    if (awarded && awarded.level > 0 && awarded.level > levelFor(awarded.xp - gain)) {
      await context.rest.post(Routes.channelMessages(message.channel_id), {
        body: {
          content: `<@${message.author.id}> reached level ${awarded.level}!`,
          allowed_mentions: { parse: [] },
        },
        signal: context.signal,
      });
    }
  });

  async function keepContent(
    message: DispatchData<GatewayDispatchEvents.MessageCreate>,
    guildId: string,
    sentAt: Date,
  ) {
    if (!(await modlogChannel(guildId)) || !message.content) return;
    await prisma.keptMessage.createMany({
      data: [
        {
          id: BigInt(message.id),
          guildId: BigInt(guildId),
          channelId: BigInt(message.channel_id),
          authorId: BigInt(message.author.id),
          content: message.content,
          createdAt: sentAt,
        },
      ],
      skipDuplicates: true,
    });
  }

  bot.on(GatewayDispatchEvents.MessageDelete, async (deletion, context) => {
    if (!deletion.guild_id || !(await modlogChannel(deletion.guild_id))) return;
    await postDeletions(context, deletion.guild_id, deletion.channel_id, [deletion.id]);
  });

  bot.on(GatewayDispatchEvents.MessageDeleteBulk, async (deletion, context) => {
    if (!deletion.guild_id || !(await modlogChannel(deletion.guild_id))) return;
    await postDeletions(context, deletion.guild_id, deletion.channel_id, deletion.ids);
  });

  async function postDeletions(context: HandlerContext, guildId: string, channelId: string, ids: string[]) {
    const kept = await prisma.keptMessage.findMany({ where: { id: { in: ids.map(BigInt) } } });
    await prisma.keptMessage.deleteMany({ where: { id: { in: ids.map(BigInt) } } });
    const byId = new Map(kept.map((row) => [row.id.toString(), row]));
    if (ids.length > 1) {
      // One post for a bulk deletion, with what was kept of it.
      const lines = ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [`<@${row.authorId}>: ${row.content.slice(0, 100)}`] : [];
      });
      await modlog.postDeletion(context, guildId, {
        messageId: `${ids.length} messages`,
        channelId,
        ...(lines.length > 0 ? { content: lines.join('\n') } : {}),
      });
      return;
    }
    const [id] = ids;
    const row = id ? byId.get(id) : undefined;
    await modlog.postDeletion(context, guildId, {
      messageId: id ?? '',
      channelId,
      ...(row ? { authorId: row.authorId.toString(), content: row.content } : {}),
    });
  }

  bot.every('prune-kept-messages', 3_600_000, async () => {
    await prisma.keptMessage.deleteMany({
      where: { createdAt: { lt: new Date(Date.now() - keptMessageRetentionMs) } },
    });
  });
}
