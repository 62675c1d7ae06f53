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
 * Both members are read concurrently; nothing here calls Discord when the gateways cache members.
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
  const [target, cachedActor] = await Promise.all([
    context.cache.member(guildId, targetId),
    context.cache.member(guildId, actorId),
  ]);
  if (!target) {
    return options.requireMember ? { refusal: `<@${targetId}> is not a member of this server.` } : {};
  }
  // The interaction carries the moderator's roles too: enough if the cache does not hold them yet.
  const interactionMember = context.interaction.member;
  const actor: CachedMember | undefined =
    cachedActor ??
    (interactionMember
      ? {
          id: actorId,
          guild_id: guildId,
          roles: interactionMember.roles,
          nick: interactionMember.nick ?? null,
          communication_disabled_until: interactionMember.communication_disabled_until ?? null,
          joined_at: interactionMember.joined_at,
        }
      : undefined);
  if (!actor || !(await context.cache.canModerate(actor, target))) {
    return {
      refusal: `You cannot moderate <@${targetId}>: their highest role is at or above yours (or they own the server).`,
      member: target,
    };
  }
  return { member: target };
}
