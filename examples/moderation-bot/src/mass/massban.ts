import { type Bot, bulk, defineCommand, option, progressReply } from '@dgc/bot-sdk';
import { PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import { readBanListFile } from './ban-list-file.js';
import {
  failureSummary,
  finishReply,
  interactionReplyEditor,
  type ReplyTarget,
} from './interaction-reply.js';
import { combineUserIdLists, parseUserIdList, type UserIdList } from './user-id-list.js';

export const massBanJob = 'massban';
export const maxMassBanIds = 1_000;

interface MassBanPayload {
  [key: string]: string | string[] | number | ReplyTarget;
  guildId: string;
  moderatorId: string;
  reason: string;
  userIds: string[];
  /** Entries of the list that repeated an id: told in the summary, banned once. */
  duplicates: number;
  reply: ReplyTarget;
}

/**
 * `/massban <reason> [ids] [file]`: up to 1,000 users, typed or in an attached .txt/.csv list (both may be
 * given: the union is banned). The answers are ephemeral, like `/purge`'s: a refusal must be, and it may
 * only be known after the file was read, once the command has deferred. Every entry must be a user id (a
 * stray word is refused, naming its line), repeats are banned once, and more than 1,000 ids are refused
 * before anyone is banned. The work is handed to a delayed job due now, because at Discord's ban rate it
 * outlasts a handler's timeout; the job bans through `bulk` (within the cluster's shared limits, so no 429),
 * edits the deferred reply with its progress at most once a second, and ends with a summary listing every
 * refused id with Discord's reason.
 */
export function addMassBan(bot: Bot): void {
  bot.command(
    defineCommand({
      name: 'massban',
      description: `Bans up to ${maxMassBanIds} users by id`,
      options: {
        reason: option.string({ description: 'Why (kept in the audit log)', required: true, maxLength: 400 }),
        ids: option.string({ description: 'User ids, separated by spaces, commas or new lines' }),
        file: option.attachment({ description: 'A .txt or .csv file of user ids (up to 1,000)' }),
      },
      requiredPermissions: PermissionFlagsBits.BanMembers,
      ephemeral: true,
      async execute(context) {
        const { options, interaction, user, reply, defer, jobs } = context;
        if (options.ids === undefined && options.file === undefined) {
          await reply({
            content: 'Give user ids in `ids`, or attach a .txt or .csv file of them in `file`.',
            ephemeral: true,
          });
          return;
        }
        const lists: { source: string; list: UserIdList }[] = [];
        if (options.ids !== undefined) lists.push({ source: '`ids`', list: parseUserIdList(options.ids) });
        if (options.file) {
          // Reading the file may take a moment: Discord is answered first (ephemerally, as is a refusal).
          await defer({ ephemeral: true });
          const file = await readBanListFile(context, options.file);
          if ('refusal' in file) {
            await reply({ content: file.refusal, ephemeral: true, allowed_mentions: { parse: [] } });
            return;
          }
          lists.push({ source: options.file.filename, list: parseUserIdList(file.text) });
        }
        const list = combineUserIdLists(lists.map(({ list: one }) => one));
        const refusal = invalidEntriesRefusal(lists) ?? countRefusal(list.ids.length);
        if (refusal) {
          await reply({ content: refusal, ephemeral: true, allowed_mentions: { parse: [] } });
          return;
        }
        await defer({ ephemeral: true });
        const payload: MassBanPayload = {
          guildId: interaction.guild_id ?? '',
          moderatorId: user.id,
          reason: options.reason,
          userIds: list.ids,
          duplicates: list.duplicates,
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
      const skipped = report.skipped ? `, ${report.skipped} not attempted (cancelled)` : '';
      const duplicates = payload.duplicates ? ` (${payload.duplicates} repeated ids ignored)` : '';
      const headline = `Mass ban: ${report.done} banned, ${report.failed} refused${skipped} of ${report.total}${duplicates}.`;
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

/** The entries that are not user ids, up to 5 named with where they are, or undefined when there are none. */
function invalidEntriesRefusal(lists: readonly { source: string; list: UserIdList }[]): string | undefined {
  const invalid = lists.flatMap(({ source, list }) =>
    list.invalid.map(({ entry, line }) => ({
      entry,
      where: source.startsWith('`') ? `in ${source}` : `${source} line ${line}`,
    })),
  );
  if (invalid.length === 0) return undefined;
  const shown = invalid
    .slice(0, 5)
    .map(({ entry, where }) => `${where}: \`${entry.slice(0, 40).replaceAll('`', "'")}\``)
    .join(', ');
  const more = invalid.length > 5 ? ` and ${invalid.length - 5} more` : '';
  return `${invalid.length} ${invalid.length === 1 ? 'entry is' : 'entries are'} not a user id (${shown}${more}). Give ids (or mentions) separated by spaces, commas or new lines. Nobody was banned.`;
}

/** Why this many ids cannot be banned at once (none, or over 1,000), or undefined. */
function countRefusal(count: number): string | undefined {
  if (count === 0) return 'No user ids given. Nobody was banned.';
  if (count > maxMassBanIds)
    return `That is ${count.toLocaleString('en-US')} different user ids; /massban bans at most ${maxMassBanIds.toLocaleString('en-US')} at a time. Split the list and run it again. Nobody was banned.`;
  return undefined;
}
