import {
  commonEnvShape,
  discordEnvShape,
  type Environment,
  type LaneName,
  laneTopologyEnvShape,
  loadConfig,
  maxEventsPerJob,
  parseLaneRoutes,
  positiveInt,
} from '@dgc/shared';
import { GatewayIntentBits } from 'discord-api-types/v10';
import { z } from 'zod';
import { parseShardIds } from './shards/shard-ids.js';

const intentNames = Object.keys(GatewayIntentBits).filter((key) => Number.isNaN(Number(key)));

/** `GUILDS,GUILD_MESSAGES`-style names (Discord's spelling or PascalCase) or a number. */
const intents = z
  .string()
  .default('Guilds,GuildMessages')
  .transform((value, context) => {
    if (/^\d+$/.test(value)) return Number(value);
    let bits = 0;
    for (const raw of value.split(',')) {
      const name = raw.trim();
      const key = intentNames.find(
        (candidate) =>
          candidate === name || candidate.toLowerCase() === name.replaceAll('_', '').toLowerCase(),
      );
      if (!key) {
        context.addIssue({ code: 'custom', message: `unknown intent "${name}"` });
        return z.NEVER;
      }
      bits |= GatewayIntentBits[key as keyof typeof GatewayIntentBits];
    }
    return bits;
  });

const shardCount = z
  .string()
  .default('auto')
  .refine(
    (value) => value === 'auto' || /^[1-9]\d*$/.test(value),
    'must be "auto" or a positive whole number',
  )
  .transform((value) => (value === 'auto' ? null : Number(value)));

const shardIds = z
  .string()
  .default('all')
  .transform((value, context) => {
    if (value === 'all') return null;
    try {
      return parseShardIds(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const eventList = z
  .string()
  .optional()
  .transform((value) =>
    value === undefined ? null : new Set(value.split(',').map((name) => name.trim().toUpperCase())),
  );

const laneRoutes = z
  .string()
  .optional()
  .transform((value, context): Record<string, LaneName> => {
    if (value === undefined) return {};
    try {
      return parseLaneRoutes(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const gatewayEnvSchema = z
  .object({
    ...commonEnvShape,
    ...discordEnvShape,
    ...laneTopologyEnvShape,
    /** Total shards of the bot; `auto` uses Discord's recommendation from GET /gateway/bot. */
    GATEWAY_SHARD_COUNT: shardCount,
    /** Shards this process runs: `all`, or ids and ranges such as `0-3,8`. */
    GATEWAY_SHARD_IDS: shardIds,
    /** Most shards this process runs at once; unset: all of GATEWAY_SHARD_IDS. Others take the rest. */
    GATEWAY_SHARD_CAPACITY: z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .positive('must be greater than 0')
      .optional(),
    /** A shard's lease lasts this long without renewal; a dead process's shards are taken over after it. */
    GATEWAY_LEASE_TTL_MS: positiveInt(10_000),
    /** A shard not READY (connecting, resuming) for this long is reconnected by the watchdog. */
    GATEWAY_WATCHDOG_STUCK_MS: positiveInt(60_000),
    /** A shard that was receiving events and then gets none for this long is reconnected (a silent feed). */
    GATEWAY_WATCHDOG_SILENT_MS: positiveInt(300_000),
    GATEWAY_INTENTS: intents,
    /** Forward only these events; unset means "what workers have registered handlers for". */
    GATEWAY_EVENTS: eventList,
    /** Moves events between lanes, e.g. `GUILD_MEMBER_ADD=bulk`; see `defaultLaneRoutes`. */
    GATEWAY_LANE_ROUTES: laneRoutes,
    /** A batch is written to Redis when it holds this many events... */
    GATEWAY_BATCH_MAX_EVENTS: positiveInt(500),
    /** ...or when its oldest event has waited this long, whichever comes first. */
    GATEWAY_BATCH_MAX_WAIT_MS: positiveInt(5),
    /** Batches being written at once; more waiting events stay buffered in memory. */
    GATEWAY_MAX_BATCHES_IN_FLIGHT: positiveInt(4),
    /**
     * Events per BullMQ job in the events and bulk lanes (interactions always get a job each). 1 = a job
     * per event; more = the queue's per-job cost is paid once per group (see README, "Event path").
     */
    GATEWAY_JOB_MAX_EVENTS: z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .positive('must be greater than 0')
      .max(maxEventsPerJob, `must be at most ${maxEventsPerJob}`)
      .default(250),
    GATEWAY_COMPRESSION: z.enum(['none', 'zlib'], { message: 'must be none or zlib' }).default('zlib'),
    /** A sheddable lane (bulk) with more waiting events than this drops new ones, counted per event type. */
    GATEWAY_SHED_HIGH_WATER_MARK: positiveInt(10_000),
    /**
     * Hard bound per lane on events buffered in memory while Redis is unreachable; past it the events lane
     * drops new events (counted, logged as errors) instead of running out of memory. Interactions never.
     */
    GATEWAY_MAX_BUFFERED_EVENTS: positiveInt(200_000),
    /** How often lane depths are read from Redis for shedding decisions. */
    GATEWAY_DEPTH_POLL_MS: positiveInt(250),
    /** On SIGTERM, buffered events get this long to reach Redis. */
    GATEWAY_DRAIN_DEADLINE_MS: positiveInt(10_000),
  })
  .superRefine((config, context) => {
    if (config.GATEWAY_SHARD_COUNT !== null && config.GATEWAY_SHARD_IDS !== null) {
      const tooHigh = config.GATEWAY_SHARD_IDS.filter((id) => id >= (config.GATEWAY_SHARD_COUNT ?? 0));
      if (tooHigh.length > 0) {
        context.addIssue({
          code: 'custom',
          path: ['GATEWAY_SHARD_IDS'],
          message: `shard ids ${tooHigh.join(', ')} are not below GATEWAY_SHARD_COUNT (${config.GATEWAY_SHARD_COUNT})`,
        });
      }
    }
  });

export type GatewayConfig = z.output<typeof gatewayEnvSchema>;

export function loadGatewayConfig(env?: Environment): GatewayConfig {
  return loadConfig('gateway', gatewayEnvSchema, env);
}
