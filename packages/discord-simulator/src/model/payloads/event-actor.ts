import { ChannelType } from 'discord-api-types/v10';
import type { SeededRandom } from '../seeded-random.js';
import type { SimulatedGuild, SimulatedWorld } from '../world.js';

/** A random member who is not the bot (the bot is the first member); the bot only when alone. */
function randomHuman(guild: SimulatedGuild, random: SeededRandom) {
  const members = guild.members;
  return members.length > 1 ? members[1 + random.int(members.length - 1)] : members[0];
}

/**
 * The guild, text channel and member an injected event comes from: the ones asked for, or random ones (a
 * human member, the guild's first text channel). Throws a RangeError naming what does not exist.
 */
export function resolveActor(
  world: SimulatedWorld,
  random: SeededRandom,
  wanted: { guildId?: string | undefined; channelId?: string | undefined; userId?: string | undefined },
) {
  const guild = wanted.guildId ? world.guildsById.get(wanted.guildId) : random.pick(world.guilds);
  if (!guild) throw new RangeError(`unknown guild ${wanted.guildId}`);
  const channel =
    guild.channels.find((candidate) => candidate.id === wanted.channelId) ??
    guild.channels.find((candidate) => candidate.type === ChannelType.GuildText);
  if (!channel) throw new RangeError(`guild ${guild.id} has no text channel`);
  const member = wanted.userId
    ? guild.members.find((candidate) => candidate.user.id === wanted.userId)
    : randomHuman(guild, random);
  if (!member) throw new RangeError(`user ${wanted.userId} is not a member of guild ${guild.id}`);
  return { guild, channel, member };
}
