/** The kinds of change `StateMutations` makes, each with the dispatch Discord sends for it. */
export const stateMutationKinds = [
  'GUILD_UPDATE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_UPDATE',
  'GUILD_MEMBER_REMOVE',
  'THREAD_CREATE',
  'THREAD_UPDATE',
  'THREAD_DELETE',
  'THREAD_LIST_SYNC',
  'THREAD_MEMBERS_UPDATE',
  'THREAD_MEMBER_UPDATE',
  'GUILD_EMOJIS_UPDATE',
] as const;
export type StateMutationKind = (typeof stateMutationKinds)[number];

/** Relative weights of the kinds (a kind left out, or weighted 0, is not made). */
export type StateMutationMix = Partial<Record<StateMutationKind, number>>;

/**
 * Threads, thread members and emojis weigh 0 by default (caching them is opt-in): `threadAndEmojiMutationMix`
 * adds them.
 */
export const defaultStateMutationMix: Required<StateMutationMix> = {
  GUILD_UPDATE: 1,
  CHANNEL_CREATE: 2,
  CHANNEL_UPDATE: 4,
  CHANNEL_DELETE: 1,
  GUILD_ROLE_CREATE: 2,
  GUILD_ROLE_UPDATE: 4,
  GUILD_ROLE_DELETE: 1,
  GUILD_MEMBER_ADD: 2,
  GUILD_MEMBER_UPDATE: 5,
  GUILD_MEMBER_REMOVE: 1,
  THREAD_CREATE: 0,
  THREAD_UPDATE: 0,
  THREAD_DELETE: 0,
  THREAD_LIST_SYNC: 0,
  THREAD_MEMBERS_UPDATE: 0,
  THREAD_MEMBER_UPDATE: 0,
  GUILD_EMOJIS_UPDATE: 0,
};

/** The default mix with thread, thread membership and emoji changes added. */
export const threadAndEmojiMutationMix: Required<StateMutationMix> = {
  ...defaultStateMutationMix,
  THREAD_CREATE: 3,
  THREAD_UPDATE: 3,
  THREAD_DELETE: 1,
  THREAD_LIST_SYNC: 1,
  THREAD_MEMBERS_UPDATE: 3,
  THREAD_MEMBER_UPDATE: 1,
  GUILD_EMOJIS_UPDATE: 2,
};
