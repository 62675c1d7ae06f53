import { defineCommand, option } from '@dgc/bot-sdk';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { ModCase } from '../database.js';
import { type CaseStore, casesPerPage } from './case-store.js';

function caseLine(entry: ModCase): string {
  const at = Math.floor(entry.createdAt.getTime() / 1_000);
  const dm = entry.dmDelivered === false ? ' · DM not delivered' : '';
  return `**#${entry.number}** ${entry.action} <@${entry.targetId}> by <@${entry.moderatorId}> <t:${at}:R> — ${entry.reason.slice(0, 120)}${dm}`;
}

/** `/cases [user] [page]` (newest first, 5 a page) and `/case <number> [reason]` (shows, or edits the reason). */
export function createCaseBrowseCommands(cases: CaseStore) {
  const list = defineCommand({
    name: 'cases',
    description: 'Lists the server’s moderation cases, newest first',
    options: {
      user: option.user({ description: 'Only this user’s cases' }),
      page: option.integer({ description: 'Page (1 = newest)', min: 1 }),
    },
    requiredPermissions: PermissionFlagsBits.ModerateMembers,
    ephemeral: true,
    async execute({ interaction, options, reply }) {
      const guildId = interaction.guild_id ?? '';
      const page = (options.page ?? 1) - 1;
      const { cases: entries, total } = await cases.page(guildId, options.user?.id, page);
      const pages = Math.max(1, Math.ceil(total / casesPerPage));
      await reply({
        content:
          entries.length === 0
            ? 'No cases.'
            : `${entries.map(caseLine).join('\n')}\nPage ${page + 1}/${pages} · ${total} case(s)`,
        ephemeral: true,
        allowed_mentions: { parse: [] },
      });
    },
  });

  const edit = defineCommand({
    name: 'case',
    description: 'Shows a case, or edits its reason',
    options: {
      number: option.integer({ description: 'The case number', required: true, min: 1 }),
      reason: option.string({ description: 'The new reason', maxLength: 500 }),
    },
    requiredPermissions: PermissionFlagsBits.ModerateMembers,
    ephemeral: true,
    async execute({ interaction, options, reply }) {
      const guildId = interaction.guild_id ?? '';
      if (
        options.reason !== undefined &&
        !(await cases.editReason(guildId, options.number, options.reason))
      ) {
        await reply({ content: `There is no case #${options.number}.`, ephemeral: true });
        return;
      }
      const entry = await cases.get(guildId, options.number);
      await reply({
        content: entry
          ? `${options.reason !== undefined ? 'Reason updated.\n' : ''}${caseLine(entry)}`
          : `There is no case #${options.number}.`,
        ephemeral: true,
        allowed_mentions: { parse: [] },
      });
    },
  });
  return [list, edit];
}
