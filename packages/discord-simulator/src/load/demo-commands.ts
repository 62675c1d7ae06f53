import {
  type APIApplicationCommandInteractionDataOption,
  ApplicationCommandOptionType,
  PermissionFlagsBits,
} from 'discord-api-types/v10';
import type { InteractionInput } from '../model/payloads/interaction-payloads.js';
import type { SeededRandom } from '../model/seeded-random.js';
import type { SimulatedGuild } from '../model/world.js';

/** Commands the simulator can play for a local cluster (`--auto-commands`): the example bots' own. */
export const demoCommandNames = [
  'ping',
  'warn',
  'timeout',
  'remind',
  'level',
  'leaderboard',
  'cases',
] as const;
export type DemoCommandName = (typeof demoCommandNames)[number];

/** What a moderator's client computes in the channel: the moderation permissions. */
const moderatorPermissions = String(
  PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.BanMembers |
    PermissionFlagsBits.KickMembers |
    PermissionFlagsBits.ModerateMembers |
    PermissionFlagsBits.ManageMessages |
    PermissionFlagsBits.ManageGuild,
);

const reasons = ['spam', 'off-topic links', 'rude to newcomers', 'raid account', 'flooding the channel'];

/**
 * A plausible use of `name` in `guild`: moderation by the guild's owner (who outranks every member, so the
 * hierarchy check lets it through) on a random member, a reminder a minute out, lookups by a random member.
 */
export function demoCommand(
  name: DemoCommandName,
  guild: SimulatedGuild,
  random: SeededRandom,
): InteractionInput {
  const humans = guild.members.filter((member) => !member.user.bot && member.user.id !== guild.ownerId);
  const someone = humans.length > 0 ? random.pick(humans).user.id : undefined;
  const user = (optionName: string, id: string): APIApplicationCommandInteractionDataOption => ({
    name: optionName,
    type: ApplicationCommandOptionType.User,
    value: id,
  });
  const text = (optionName: string, value: string): APIApplicationCommandInteractionDataOption => ({
    name: optionName,
    type: ApplicationCommandOptionType.String,
    value,
  });
  const moderation = (options: APIApplicationCommandInteractionDataOption[]): InteractionInput => ({
    commandName: name,
    guildId: guild.id,
    userId: guild.ownerId,
    memberPermissions: moderatorPermissions,
    options,
  });
  switch (name) {
    case 'warn':
      return someone
        ? moderation([user('user', someone), text('reason', random.pick(reasons))])
        : { commandName: 'ping', guildId: guild.id };
    case 'timeout':
      return someone
        ? moderation([user('user', someone), text('duration', '1m'), text('reason', random.pick(reasons))])
        : { commandName: 'ping', guildId: guild.id };
    case 'cases':
      return moderation([]);
    case 'remind':
      return {
        commandName: name,
        guildId: guild.id,
        options: [text('in', '1m'), text('text', 'stretch your legs')],
      };
    default:
      return { commandName: name, guildId: guild.id };
  }
}
