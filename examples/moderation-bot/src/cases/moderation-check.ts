import type { CachedMember, CommandContext, OptionDefinitions } from '@dgc/bot-sdk';

export type ModerationContext = Omit<CommandContext<OptionDefinitions>, 'options'>;

export interface CheckedTarget {
  /** Set when the moderator may not act: say it (ephemerally) and call nothing else. */
  refusal?: string;
  /** The target as a member of the guild, when they are one. */
  member?: CachedMember;
}

/**
 * Whether the command's user may act on `targetId`, by Discord's hierarchy read from the shared cache (the
 * command's permission itself is checked by `requiredPermissions` before this runs): nobody acts on
 * themselves, the bot or the owner, and the moderator's highest role must be strictly above the target's.
 * The moderator's roles come with the interaction; the target is read from the cache, which calls Discord
 * only for a member the gateways do not hold (CACHE_ENTITIES without members, or a large guild's member
 * never seen in an event).
 */
export async function checkTarget(
  context: ModerationContext,
  guildId: string,
  targetId: string,
  options: { requireMember: boolean },
): Promise<CheckedTarget> {
  const actorId = context.user.id;
  if (targetId === actorId) return { refusal: 'You cannot moderate yourself.' };
  if (targetId === context.interaction.application_id) return { refusal: 'I will not moderate myself.' };
  const target = await context.cache.member(guildId, targetId);
  if (!target) {
    return options.requireMember ? { refusal: `<@${targetId}> is not a member of this server.` } : {};
  }
  // The moderator's roles come with the interaction, current as of the click; the target's from the cache.
  const interactionMember = context.interaction.member;
  const actor: CachedMember | undefined = interactionMember && {
    id: actorId,
    guild_id: guildId,
    roles: interactionMember.roles,
    nick: interactionMember.nick ?? null,
    communication_disabled_until: interactionMember.communication_disabled_until ?? null,
    joined_at: interactionMember.joined_at,
  };
  if (!actor || !(await context.cache.canModerate(actor, target))) {
    return {
      refusal: `You cannot moderate <@${targetId}>: their highest role is at or above yours (or they own the server).`,
      member: target,
    };
  }
  return { member: target };
}
