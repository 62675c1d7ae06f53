import type { APIUser, UserFlags } from 'discord-api-types/v10';

/**
 * A user object with every field Discord always sends (flags, public flags, primary guild), so REST answers
 * and gateway payloads carry what the published API description marks required.
 */
export function userObject(input: {
  id: string;
  username: string;
  globalName?: string | null;
  bot?: boolean;
}): APIUser {
  return {
    id: input.id,
    username: input.username,
    discriminator: '0',
    global_name: input.globalName ?? null,
    avatar: null,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    primary_guild: null,
    ...(input.bot ? { bot: true } : {}),
  } as APIUser;
}

/** A user the simulator never met (an id banned in bulk): what Discord shows for an unknown account. */
export function unknownUser(id: string): APIUser {
  return userObject({ id, username: `user-${id.slice(-4)}` });
}
