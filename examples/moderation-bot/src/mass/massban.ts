import { type Bot, bulk, defineCommand, option, progressReply } from '@dgc/bot-sdk';
import { PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import {
  failureSummary,
  finishReply,
  interactionReplyEditor,
  type ReplyTarget,
} from './interaction-reply.js';

export const massBanJob = 'massban';
export const maxMassBanIds = 1_000;

interface MassBanPayload {
  [key: string]: string | string[] | ReplyTarget;
  guildId: string;
  moderatorId: string;
  reason: string;
  userIds: string[];
  reply: ReplyTarget;
}

/** Snowflakes in free text (spaces, commas, new lines, mentions), each once, in order. */
export function parseUserIds(text: string): string[] {
  return [...new Set(text.match(/\d{17,20}/g) ?? [])];
}

/**
 * `/massban <ids> <reason>`: up to 1,000 users. The command defers and hands the work to a delayed job due
 * now, because at Discord's ban rate it outlasts a handler's timeout; the job bans through `bulk` (within the
 * cluster's shared limits, so no 429), edits the deferred reply with its progress at most once a second, and
 * ends with a summary listing every refused id with Discord's reason.
 */
export function addMassBan(bot: Bot): void {
  bot.command(
    defineCommand({
      name: 'massban',
      description: `Bans up to ${maxMassBanIds} users by id`,
      options: {
        ids: option.string({
          description: 'User ids, separated by spaces, commas or new lines',
          required: true,
        }),
        reason: option.string({ description: 'Why (kept in the audit log)', required: true, maxLength: 400 }),
      },
      requiredPermissions: PermissionFlagsBits.BanMembers,
      async execute({ options, interaction, user, reply, defer, jobs }) {
        const userIds = parseUserIds(options.ids);
        if (userIds.length === 0 || userIds.length > maxMassBanIds) {
          await reply({
            content: `Give between 1 and ${maxMassBanIds} user ids (got ${userIds.length}).`,
            ephemeral: true,
          });
          return;
        }
        await defer();
        const payload: MassBanPayload = {
          guildId: interaction.guild_id ?? '',
          moderatorId: user.id,
          reason: options.reason,
          userIds,
          reply: { applicationId: interaction.application_id, token: interaction.token },
        };
        await jobs.at(Date.now(), massBanJob, payload);
      },
    }),
  );

  bot.job<MassBanPayload>(
    massBanJob,
    async (payload, context) => {
      const editor = interactionReplyEditor(context.rest, payload.reply, context.signal);
      const progress = progressReply(
        { ...editor, logger: context.logger },
        { render: ({ done, failed, total }) => `Banning… ${done + failed}/${total} (${failed} refused)` },
      );
      const report = await bulk(
        payload.userIds,
        (userId) =>
          context.rest.put(Routes.guildBan(payload.guildId, userId), {
            body: { delete_message_seconds: 0 },
            reason: `${payload.reason} (mass ban by ${payload.moderatorId})`,
            signal: context.signal,
          }),
        { concurrency: 10, signal: context.signal, onProgress: progress.update },
      );
      const failures = report.items.flatMap((outcome) =>
        outcome.status === 'failed'
          ? [
              {
                id: outcome.item,
                message: outcome.error.message,
                ...(outcome.error.code !== undefined ? { code: outcome.error.code } : {}),
              },
            ]
          : [],
      );
      const headline = `Mass ban: ${report.done} banned, ${report.failed} refused${report.skipped ? `, ${report.skipped} not attempted (cancelled)` : ''} of ${report.total}.`;
      await finishReply(
        progress,
        failures.length > 0 ? `${headline}\n${failureSummary(failures)}` : headline,
        context.logger,
      );
      context.logger.info(
        { guildId: payload.guildId, done: report.done, failed: report.failed },
        'mass ban finished',
      );
    },
    // Within the interaction's 15 minutes: the summary must land while the token is valid.
    { timeoutMs: 14 * 60_000 },
  );
}
