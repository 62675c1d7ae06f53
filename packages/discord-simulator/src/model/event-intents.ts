/**
 * The intent a dispatch needs, by event name (guild variants; DMs use the DIRECT_* intents). Events not
 * listed are sent whatever the intents, as Discord does for READY, RESUMED, INTERACTION_CREATE, etc.
 */
const guildEventIntents: Record<string, number> = {
  GUILD_CREATE: 1 << 0,
  GUILD_UPDATE: 1 << 0,
  GUILD_DELETE: 1 << 0,
  CHANNEL_CREATE: 1 << 0,
  THREAD_CREATE: 1 << 0,
  THREAD_UPDATE: 1 << 0,
  THREAD_DELETE: 1 << 0,
  THREAD_LIST_SYNC: 1 << 0,
  THREAD_MEMBER_UPDATE: 1 << 0,
  // Only about the bot itself without GUILD_MEMBERS: `dispatch-router.ts` applies that part.
  THREAD_MEMBERS_UPDATE: 1 << 0,
  GUILD_MEMBER_ADD: 1 << 1,
  GUILD_MEMBER_UPDATE: 1 << 1,
  GUILD_MEMBER_REMOVE: 1 << 1,
  GUILD_BAN_ADD: 1 << 2,
  GUILD_BAN_REMOVE: 1 << 2,
  GUILD_EMOJIS_UPDATE: 1 << 3,
  PRESENCE_UPDATE: 1 << 8,
  MESSAGE_CREATE: 1 << 9,
  MESSAGE_UPDATE: 1 << 9,
  MESSAGE_DELETE: 1 << 9,
  MESSAGE_DELETE_BULK: 1 << 9,
  MESSAGE_REACTION_ADD: 1 << 10,
  TYPING_START: 1 << 11,
};

const directMessageIntents: Record<string, number> = {
  MESSAGE_CREATE: 1 << 12,
  MESSAGE_UPDATE: 1 << 12,
  MESSAGE_DELETE: 1 << 12,
  TYPING_START: 1 << 14,
};

/** Zero means the event needs no intent. */
export function intentRequiredFor(event: string, inGuild: boolean): number {
  return (inGuild ? guildEventIntents[event] : directMessageIntents[event]) ?? 0;
}
