import { type Bot, bulk, defineCommand, option, progressReply } from '@dgc/bot-sdk';
import { type APIMessage, PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import {
  failureSummary,
  finishReply,
  interactionReplyEditor,
  type ReplyTarget,
} from './interaction-reply.js';

export const purgeJob = 'purge';
const maxPurge = 1_000;
/** Discord refuses a bulk delete holding a message 14 days old or older (50034); a minute's margin for clocks. */
const bulkDeleteMaxAgeMs = 14 * 86_400_000 - 60_000;
/** How far back a filtered purge reads before giving up: 10 pages per message asked for, at most 50 pages. */
const maxPagesScanned = 50;

interface PurgePayload {
  [key: string]: string | number | null | ReplyTarget;
  channelId: string;
  count: number;
  userId: string | null;
  contains: string | null;
  reply: ReplyTarget;
}

const discordEpochMs = 1_420_070_400_000n;
const createdAtMs = (id: string) => Number((BigInt(id) >> 22n) + discordEpochMs);

/**
 * `/purge <n> [user] [contains]` as a delayed job due now (it outlasts a handler's timeout): reads the
 * channel's history 100 at a time, newest first, keeps the messages that match, and deletes them — those
 * under 14 days old by bulk delete in chunks of 100 (a lone one by a single delete), those older **one by
 * one**, which Discord allows at its per-message rate, all through the shared limits. The reply shows
 * progress and ends with what was deleted and what failed.
 */
export function addPurge(bot: Bot): void {
  bot.command(
    defineCommand({
      name: 'purge',
      description: 'Deletes the channel’s latest messages (of a user, or containing a text)',
      options: {
        count: option.integer({
          description: `How many (1-${maxPurge})`,
          required: true,
          min: 1,
          max: maxPurge,
        }),
        user: option.user({ description: 'Only their messages' }),
        contains: option.string({ description: 'Only messages containing this text', maxLength: 100 }),
      },
      requiredPermissions: PermissionFlagsBits.ManageMessages,
      ephemeral: true,
      async execute({ options, interaction, defer, jobs }) {
        await defer({ ephemeral: true });
        const payload: PurgePayload = {
          channelId: interaction.channel.id,
          count: options.count,
          userId: options.user?.id ?? null,
          contains: options.contains ?? null,
          reply: { applicationId: interaction.application_id, token: interaction.token },
        };
        await jobs.at(Date.now(), purgeJob, payload);
      },
    }),
  );

  bot.job<PurgePayload>(
    purgeJob,
    async (payload, context) => {
      const { rest, signal } = context;
      const editor = interactionReplyEditor(rest, payload.reply, signal);
      const matches = (message: APIMessage) =>
        (payload.userId === null || message.author.id === payload.userId) &&
        (payload.contains === null || message.content.toLowerCase().includes(payload.contains.toLowerCase()));

      const chosen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < maxPagesScanned && chosen.length < payload.count; page += 1) {
        const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
        const messages = (await rest.get(Routes.channelMessages(payload.channelId), {
          query,
          signal,
        })) as APIMessage[];
        for (const message of messages)
          if (chosen.length < payload.count && matches(message)) chosen.push(message.id);
        if (messages.length < 100) break;
        before = messages[messages.length - 1]?.id;
      }

      const now = Date.now();
      const recent = chosen.filter((id) => now - createdAtMs(id) < bulkDeleteMaxAgeMs);
      const old = chosen.filter((id) => now - createdAtMs(id) >= bulkDeleteMaxAgeMs);
      const chunks: string[][] = [];
      for (let index = 0; index < recent.length; index += 100) chunks.push(recent.slice(index, index + 100));
      const reason = 'purge';
      const progress = progressReply(
        { ...editor, logger: context.logger },
        {
          render: ({ done, failed, total }) => `Purging… ${done + failed}/${total} steps`,
        },
      );
      // One step per chunk, then one per old message: the progress counts steps, the summary messages.
      const steps: ({ kind: 'chunk'; ids: string[] } | { kind: 'single'; id: string })[] = [
        ...chunks.map((ids) =>
          ids.length === 1
            ? { kind: 'single' as const, id: ids[0] as string }
            : { kind: 'chunk' as const, ids },
        ),
        ...old.map((id) => ({ kind: 'single' as const, id })),
      ];
      const report = await bulk(
        steps,
        (step) =>
          step.kind === 'chunk'
            ? rest.post(Routes.channelBulkDelete(payload.channelId), {
                body: { messages: step.ids },
                reason,
                signal,
              })
            : rest.delete(Routes.channelMessage(payload.channelId, step.id), { reason, signal }),
        { concurrency: 4, signal, onProgress: progress.update },
      );
      let deleted = 0;
      const failures: { id: string; message: string; code?: number }[] = [];
      for (const outcome of report.items) {
        const ids = outcome.item.kind === 'chunk' ? outcome.item.ids : [outcome.item.id];
        if (outcome.status === 'done') deleted += ids.length;
        else if (outcome.status === 'failed')
          for (const id of ids)
            failures.push({
              id,
              message: outcome.error.message,
              ...(outcome.error.code !== undefined ? { code: outcome.error.code } : {}),
            });
      }
      const headline =
        `Purge: ${deleted} of ${chosen.length} matching messages deleted ` +
        `(${recent.length} by bulk delete in ${chunks.length} request(s), ${old.length} older than 14 days one by one).`;
      await finishReply(
        progress,
        failures.length > 0 ? `${headline}\n${failureSummary(failures)}` : headline,
        context.logger,
      );
    },
    { timeoutMs: 14 * 60_000 },
  );
}
