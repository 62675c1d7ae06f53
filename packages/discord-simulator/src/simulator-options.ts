import type { Logger } from 'pino';
import type { BucketPolicyName } from './rest/bucket-policies.js';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** The only bot token accepted: REST answers 401 and the gateway closes with 4004 otherwise. */
  token: string;
  applicationId?: string;
  /** Recommended shard count returned by GET /gateway/bot. */
  shardCount?: number;
  guildCount?: number;
  maxConcurrency?: number;
  sessionStartLimit?: { total?: number; remaining?: number; resetAfterMs?: number };
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the simulated application. */
  privilegedIntents?: number;
  identifyWindowMs?: number;
  resumeWindowMs?: number;
  globalRateLimitPerSecond?: number;
  interactionResponseWindowMs?: number;
  /** Invalid requests (401/403/429) per 10 minutes before the simulated Cloudflare ban. */
  invalidRequestLimit?: number;
  /** Close code for a connection that stopped heartbeating. */
  missedHeartbeatCloseCode?: number;
  seed?: number;
  /** Per-route limits replacing the defaults, e.g. `{ bans: { limit: 50, windowMs: 1000 } }`. */
  routeLimits?: Partial<Record<BucketPolicyName, { limit: number; windowMs: number }>>;
  /** Dispatch records kept for `ledger` (older ones are dropped past this); 0 turns the ledger off. */
  dispatchLedgerCapacity?: number;
  /**
   * REST calls kept for `restCalls` and the control API: past this the oldest half is dropped, and
   * `waitForInteractionResponse` finds the callbacks of this many recent interactions. A simulator left
   * running under load otherwise grows until it runs out of memory.
   */
  restCallsKept?: number;
  logger?: Logger;
}
