import type { HandlerContext, Logger } from '@dgc/bot-sdk';
import { type APIEmbed, Routes } from 'discord-api-types/v10';
import type { CaseAction } from '../cases/case-store.js';
import type { GuildConfigStore } from './guild-config.js';

/** The SDK's REST client, as handlers and jobs get it. */
type REST = HandlerContext['rest'];

const actionColours: Record<CaseAction, number> = {
  ban: 0xe74c3c,
  tempban: 0xe67e22,
  unban: 0x2ecc71,
  kick: 0xe67e22,
  warn: 0xf1c40f,
  timeout: 0x9b59b6,
  untimeout: 0x2ecc71,
};

export interface CaseLogEntry {
  number: number;
  action: CaseAction;
  targetId: string;
  moderatorId: string;
  reason: string;
  expiresAt?: Date;
  dm?: { delivered: boolean; error?: string };
}

/**
 * Posts cases and message deletions to the guild's mod-log channel (`/config modlog`). Best effort: a
 * missing channel or a refused post is logged, never fails the action it reports.
 */
export class ModLog {
  readonly #config: GuildConfigStore;

  constructor(config: GuildConfigStore) {
    this.#config = config;
  }

  async postCase(
    context: { rest: REST; logger: Logger; signal: AbortSignal },
    guildId: string,
    entry: CaseLogEntry,
  ): Promise<void> {
    const fields = [
      { name: 'Member', value: `<@${entry.targetId}> (${entry.targetId})`, inline: true },
      { name: 'Moderator', value: `<@${entry.moderatorId}>`, inline: true },
      { name: 'Reason', value: entry.reason.slice(0, 1_024) },
    ];
    if (entry.expiresAt)
      fields.push({
        name: 'Ends',
        value: `<t:${Math.floor(entry.expiresAt.getTime() / 1_000)}:R>`,
        inline: true,
      });
    if (entry.dm && !entry.dm.delivered)
      fields.push({
        name: 'DM',
        value: `not delivered: ${entry.dm.error ?? 'unknown'}`.slice(0, 1_024),
        inline: true,
      });
    await this.#post(context, guildId, {
      title: `Case #${entry.number} · ${entry.action}`,
      color: actionColours[entry.action],
      fields,
      timestamp: new Date().toISOString(),
    });
  }

  async postDeletion(
    context: { rest: REST; logger: Logger; signal: AbortSignal },
    guildId: string,
    deletion: { messageId: string; channelId: string; authorId?: string; content?: string },
  ): Promise<void> {
    await this.#post(context, guildId, {
      title: 'Message deleted',
      color: 0x95a5a6,
      description:
        deletion.content !== undefined
          ? deletion.content.slice(0, 4_000) || '*(no text)*'
          : '*(content not kept: sent before the mod log was set, or too long ago)*',
      fields: [
        { name: 'Channel', value: `<#${deletion.channelId}>`, inline: true },
        ...(deletion.authorId ? [{ name: 'Author', value: `<@${deletion.authorId}>`, inline: true }] : []),
        { name: 'Message', value: deletion.messageId, inline: true },
      ],
      timestamp: new Date().toISOString(),
    });
  }

  async #post(
    context: { rest: REST; logger: Logger; signal: AbortSignal },
    guildId: string,
    embed: APIEmbed,
  ): Promise<void> {
    const channelId = await this.#config.modlogChannel(guildId);
    if (!channelId) return;
    try {
      await context.rest.post(Routes.channelMessages(channelId), {
        body: { embeds: [embed], allowed_mentions: { parse: [] } },
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) throw error;
      context.logger.warn({ err: error, guildId, channelId }, 'mod-log post failed');
    }
  }
}
