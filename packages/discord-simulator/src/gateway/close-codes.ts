/** Gateway close codes as Discord documents them, and what each means for the session. */
export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

/** Codes after which the session can no longer be resumed (a new IDENTIFY is needed, or none at all). */
const sessionEndingCodes = new Set<number>([
  1000, 1001, 4003, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014,
]);

export function closeEndsSession(code: number): boolean {
  return sessionEndingCodes.has(code);
}

/** Every documented intent bit, and the privileged ones (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT). */
export const allIntentBits = 53_608_447;
export const privilegedIntentBits = 33_026;
export const messageContentIntent = 1 << 15;
export const guildMembersIntent = 1 << 1;
export const guildPresencesIntent = 1 << 8;
