import type { DispatchData, GatewayEventEnvelope, Logger, Redis } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { StateCache } from '../cache/state-cache.js';
import type { DelayedJobs } from '../jobs/delayed-jobs.js';

/**
 * What every handler gets: shared clients of this worker process plus the per-job cancellation signal.
 * A bot's own database client is not here: the bot creates it once in `defineBot`'s setup (see
 * `defineDatabase`) and hands it to the handlers that need it, typed by its own Prisma schema.
 */
export interface HandlerContext {
  rest: REST;
  redis: Redis;
  logger: Logger;
  /** Fires when the job's timeout elapses or the worker is forced to stop; pass it to every call. */
  signal: AbortSignal;
  envelope: GatewayEventEnvelope;
  /** Durable one-shot jobs: `jobs.at(when, name, payload)` and `jobs.cancel(id)`. */
  jobs: DelayedJobs;
  /** Guilds, channels, roles and opted-in members kept by the gateways, with permission checks. */
  cache: StateCache;
}

/** Handles one gateway event; the payload is typed by the event name (`discord-api-types`). */
export type EventHandler<Name extends GatewayDispatchEvents> = (
  data: DispatchData<Name>,
  context: HandlerContext,
) => Promise<void>;
