import type { Logger, Redis } from '@dgc/shared';
import type { Prisma } from '@dgc/shared/db';
import type { REST } from '@discordjs/rest';
import type { StateCache } from '../cache/state-cache.js';
import type { DelayedJobs } from './delayed-jobs.js';
import type { GatewayCommands } from './gateway-commands.js';

/**
 * What every job gets, like a handler's context: the scheduler's REST client (behind the cluster's shared
 * limits), Redis, the shared state cache, a logger naming the job, and the signal to pass to every call. A bot's own database
 * client comes from `defineBot`'s setup, as for handlers.
 */
export interface JobContext {
  rest: REST;
  redis: Redis;
  logger: Logger;
  /** Fires when the job's timeout elapses or the scheduler is forced to stop. */
  signal: AbortSignal;
  jobs: DelayedJobs;
  /** Gateway commands (presence updates) sent through the gateways holding the shards. */
  gateway: GatewayCommands;
  /** The guilds, channels, roles and members the gateways keep, falling back to REST on a miss (as `ctx.cache`). */
  cache: StateCache;
  /** 1 for the first attempt, then one more per retry. */
  attempt: number;
}

/** A `bot.every` run: `slot` is the time the run was scheduled for (the same for every retry of it). */
export interface PeriodicJobContext extends JobContext {
  slot: Date;
}

/** The statements a delayed job may run inside the transaction that records it done. */
export type JobTransaction = Pick<Prisma.TransactionClient, '$executeRaw' | '$queryRaw'>;

/** A `bot.job` run. */
export interface DelayedJobContext extends JobContext {
  id: string;
  /** When it was due; the run starts at or shortly after it. */
  runAt: Date;
  /**
   * Runs `write` in the transaction that records this run done, and commits only while this scheduler
   * still holds the job (its lease did not pass). A run is delivered at least once — a scheduler killed
   * after the handler's effect but before the record runs it again — so an effect that must happen once
   * is written here: it commits together with the record, exactly once. Without it the run is recorded
   * after the handler returns.
   */
  completeWith<T>(write: (transaction: JobTransaction) => Promise<T>): Promise<T>;
}
