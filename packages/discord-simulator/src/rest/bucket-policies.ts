import type { BucketPolicy } from './rate-limits.js';

/**
 * Per-route limits. Discord does not publish them; these follow what clients observe (create message
 * 5 per 5 s per channel, etc.). Routes sharing a hash share a bucket, per major parameter.
 */
export const defaultBucketPolicies = {
  gatewayBot: { hash: '5f4c0ea2b913', limit: 2, windowMs: 5_000 },
  getChannel: { hash: '8a1d2e7c40aa', limit: 5, windowMs: 5_000 },
  getMessages: { hash: 'a7c2e9f04b18', limit: 5, windowMs: 1_000 },
  createMessage: { hash: 'c2a1f1e4d8b7', limit: 5, windowMs: 5_000 },
  editMessage: { hash: '3b9e5d6f1c02', limit: 5, windowMs: 5_000 },
  deleteMessage: { hash: '7d3c9b1e8f4a', limit: 5, windowMs: 1_000 },
  bulkDelete: { hash: '1e6f0a9c7b3d', limit: 1, windowMs: 1_000 },
  interactionCallback: { hash: 'e9b4a0d21c55', limit: 5, windowMs: 1_000 },
  webhook: { hash: '4c8e2b7a9d10', limit: 5, windowMs: 2_000 },
  getGuild: { hash: '9f2a6c3e5b71', limit: 5, windowMs: 5_000 },
  member: { hash: '2d7b4f9a1e63', limit: 10, windowMs: 10_000 },
  memberRoles: { hash: '6a0c8e2d4f95', limit: 10, windowMs: 10_000 },
  bans: { hash: 'b5e1d7c3a902', limit: 5, windowMs: 1_000 },
  bulkBan: { hash: 'f0a3c6e9b218', limit: 1, windowMs: 5_000 },
  dmChannel: { hash: '0c5f8a2e7d46', limit: 5, windowMs: 5_000 },
  applicationCommands: { hash: 'a4d9e1b7c630', limit: 5, windowMs: 5_000 },
  guildResources: { hash: 'd81f3b6a9e24', limit: 10, windowMs: 10_000 },
  getUser: { hash: '5b2e8c1f7a39', limit: 5, windowMs: 1_000 },
  emojis: { hash: '8e4b1d7f2c60', limit: 10, windowMs: 10_000 },
  threadMembers: { hash: '3f7a9c2e5d18', limit: 10, windowMs: 10_000 },
} satisfies Record<string, BucketPolicy>;

export type BucketPolicyName = keyof typeof defaultBucketPolicies;
