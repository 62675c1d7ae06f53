import { defineCommand, defineComponent, option, type ReplyBody } from '@dgc/bot-sdk';
import { ButtonStyle, ComponentType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { ModCase } from '../database.js';
import { type CaseStore, casesPerPage } from './case-store.js';

function caseLine(entry: ModCase): string {
  const at = Math.floor(entry.createdAt.getTime() / 1_000);
  const dm = entry.dmDelivered === false ? ' · DM not delivered' : '';
  return `**#${entry.number}** ${entry.action} <@${entry.targetId}> by <@${entry.moderatorId}> <t:${at}:R> — ${entry.reason.slice(0, 120)}${dm}`;
}

/** One page of cases with Newer/Older buttons; their custom ids carry the page and the user filter. */
async function casesPage(
  cases: CaseStore,
  guildId: string,
  userId: string | undefined,
  page: number,
): Promise<Exclude<ReplyBody, string>> {
  const { cases: entries, total } = await cases.page(guildId, userId, page);
  const pages = Math.max(1, Math.ceil(total / casesPerPage));
  const button = (label: string, target: number) => ({
    type: ComponentType.Button as const,
    style: ButtonStyle.Secondary as const,
    label,
    custom_id: `cases:${target}:${userId ?? 'all'}`,
    disabled: target < 0 || target >= pages,
  });
  return {
    content:
      entries.length === 0
        ? 'No cases.'
        : `${entries.map(caseLine).join('\n')}\nPage ${page + 1}/${pages} · ${total} case(s)`,
    components: [
      { type: ComponentType.ActionRow, components: [button('Newer', page - 1), button('Older', page + 1)] },
    ],
    allowed_mentions: { parse: [] },
  };
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
      await reply({ ...(await casesPage(cases, guildId, options.user?.id, page)), ephemeral: true });
    },
  });

  // The pager's buttons: moderators only (the button is on an ephemeral message, but a custom id can be forged).
  const pager = defineComponent({
    prefix: 'cases',
    async execute({ interaction, args: [page = '0', user = 'all'], update, reply }) {
      const permissions = BigInt(interaction.member?.permissions ?? '0');
      if (!interaction.guild_id || (permissions & PermissionFlagsBits.ModerateMembers) === 0n) {
        await reply({ content: 'You need the ModerateMembers permission.', ephemeral: true });
        return;
      }
      const body = await casesPage(
        cases,
        interaction.guild_id,
        user === 'all' ? undefined : user,
        Math.max(0, Number(page) || 0),
      );
      await update(body);
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
  return { commands: [list, edit], components: [pager] };
}
