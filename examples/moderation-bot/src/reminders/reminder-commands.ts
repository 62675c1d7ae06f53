import { type Bot, defineCommand, option } from '@dgc/bot-sdk';
import { type APIChannel, Routes } from 'discord-api-types/v10';
import { DurationError, formatDuration, parseDuration } from '../duration.js';
import type { ReminderStore } from './reminder-store.js';

export const reminderJob = 'reminder';
const maxReminderMs = 365 * 86_400_000;

/**
 * `/remind <in> <text> [dm]`, `/reminders list|cancel`, and the delayed job that delivers each reminder.
 * Delivery is exactly once: the message carries a nonce Discord enforces (a redelivered run after a
 * scheduler died mid-way gets the same message back instead of a second one), and the reminder is marked
 * delivered in the transaction that records the run.
 */
export function addReminders(bot: Bot, reminders: ReminderStore): void {
  bot.command(
    defineCommand({
      name: 'remind',
      description: 'Reminds you of something later, here or by DM',
      options: {
        in: option.string({ description: 'When: e.g. 10m, 2h, 3d', required: true, maxLength: 20 }),
        text: option.string({ description: 'What to remind you of', required: true, maxLength: 1_000 }),
        dm: option.boolean({ description: 'Deliver by DM instead of in this channel' }),
      },
      ephemeral: true,
      async execute({ options, interaction, user, reply, jobs }) {
        let inMs: number;
        try {
          inMs = parseDuration(options.in, { minMs: 1_000, maxMs: maxReminderMs });
        } catch (error) {
          if (!(error instanceof DurationError)) throw error;
          await reply({ content: error.message, ephemeral: true });
          return;
        }
        const dueAt = new Date(Date.now() + inMs);
        const reminder = await reminders.create({
          userId: user.id,
          ...(interaction.guild_id ? { guildId: interaction.guild_id } : {}),
          channelId: interaction.channel.id,
          viaDm: options.dm ?? false,
          text: options.text,
          dueAt,
        });
        const jobId = await jobs.at(dueAt, reminderJob, { reminderId: reminder.id.toString() });
        await reminders.setJob(reminder.id, jobId);
        await reply({
          content: `Reminder #${reminder.id} in ${formatDuration(inMs)} (<t:${Math.floor(dueAt.getTime() / 1_000)}:R>).`,
          ephemeral: true,
        });
      },
    }),
  );

  bot.command(
    defineCommand({
      name: 'reminders',
      description: 'Lists or cancels your reminders',
      options: {
        action: option.string({ description: 'list or cancel', required: true, choices: ['list', 'cancel'] }),
        id: option.integer({ description: 'The reminder to cancel', min: 1 }),
      },
      ephemeral: true,
      async execute({ options, user, reply, jobs }) {
        if (options.action === 'list') {
          const pending = await reminders.pending(user.id);
          await reply({
            content:
              pending.length === 0
                ? 'You have no reminders.'
                : pending
                    .map(
                      (entry) =>
                        `#${entry.id} <t:${Math.floor(entry.dueAt.getTime() / 1_000)}:R> — ${entry.text.slice(0, 80)}`,
                    )
                    .join('\n'),
            ephemeral: true,
            allowed_mentions: { parse: [] },
          });
          return;
        }
        if (options.id === undefined) {
          await reply({ content: 'Say which reminder: `/reminders cancel id:<n>`.', ephemeral: true });
          return;
        }
        const cancelled = await reminders.cancel(user.id, BigInt(options.id));
        // The row is what the job checks; cancelling the job as well spares it a run.
        if (cancelled?.jobId) await jobs.cancel(cancelled.jobId);
        await reply({
          content: cancelled
            ? `Reminder #${options.id} cancelled.`
            : `You have no pending reminder #${options.id}.`,
          ephemeral: true,
        });
      },
    }),
  );

  bot.job<{ reminderId: string }>(reminderJob, async ({ reminderId }, context) => {
    const reminder = await reminders.get(BigInt(reminderId));
    if (!reminder || reminder.deliveredAt || reminder.cancelledAt) return;
    const userId = reminder.userId.toString();
    let channelId = reminder.channelId.toString();
    if (reminder.viaDm) {
      const channel = (await context.rest.post(Routes.userChannels(), {
        body: { recipient_id: userId },
        signal: context.signal,
      })) as APIChannel;
      channelId = channel.id;
    }
    await context.rest.post(Routes.channelMessages(channelId), {
      body: {
        content: `<@${userId}> reminder: ${reminder.text}`,
        allowed_mentions: { users: [userId] },
        nonce: `reminder-${reminderId}`.slice(0, 25),
        enforce_nonce: true,
      },
      signal: context.signal,
    });
    await context.completeWith(
      (transaction) =>
        transaction.$executeRaw`UPDATE moderation_bot.reminder SET delivered_at = now()
        WHERE id = ${BigInt(reminderId)} AND delivered_at IS NULL`,
    );
  });
}
