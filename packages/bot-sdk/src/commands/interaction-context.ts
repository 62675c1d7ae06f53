import type { APIInteraction, APIUser } from 'discord-api-types/v10';
import type { HandlerContext } from '../events/handler-context.js';

/**
 * What a command's or a component's context holds beside its own answers: the handler context, the
 * interaction and the user who invoked it (a member in a guild, the user in a DM), with `extra` (its ways
 * to answer) added. The signal and the child logger are read through: built only when a handler asks.
 */
export function interactionContext<Interaction extends APIInteraction, Extra extends object>(
  context: HandlerContext,
  interaction: Interaction,
  extra: Extra,
): HandlerContext & { interaction: Interaction; user: APIUser } & Extra {
  return {
    rest: context.rest,
    redis: context.redis,
    envelope: context.envelope,
    jobs: context.jobs,
    cache: context.cache,
    get signal() {
      return context.signal;
    },
    get logger() {
      return context.logger;
    },
    interaction,
    user: interaction.member?.user ?? (interaction.user as APIUser),
    ...extra,
  };
}
