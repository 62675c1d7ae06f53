import {
  type CacheEntityKind,
  cacheEntityKinds,
  commonEnvShape,
  discordEnvShape,
  type Environment,
  envGroup,
  type LaneName,
  laneTopologyEnvShape,
  loadConfig,
  maxEventsPerJob,
  nonNegativeInt,
  parseLaneRoutes,
  positiveInt,
  variable,
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

const cacheEntities = z
  .string()
  .default('guilds,channels,roles')
  .transform((value, context): ReadonlySet<CacheEntityKind> => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '' && name.toLowerCase() !== 'none');
    // Case-insensitive: `threadMembers` and `threadmembers` are one entity.
    const kindOf = (name: string) =>
      cacheEntityKinds.find((kind) => kind.toLowerCase() === name.toLowerCase());
    const unknown = names.filter((name) => kindOf(name) === undefined);
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `unknown cache entities ${unknown.join(', ')} (known: ${cacheEntityKinds.join(', ')}, or none)`,
      });
      return z.NEVER;
    }
    const kinds = new Set(names.map((name) => kindOf(name) as CacheEntityKind));
    // Memberships go with their threads (THREAD_DELETE, a channel's deletion): they need threads cached.
    if (kinds.has('threadMembers') && !kinds.has('threads')) {
      context.addIssue({ code: 'custom', message: 'cache entity threadMembers needs threads too' });
      return z.NEVER;
    }
    return kinds;
  });

/** What the gateway keeps in the shared state cache workers read. */
export const gatewayCacheEnvShape = envGroup('Shared state cache', {
  CACHE_ENTITIES: variable(
    cacheEntities,
    'What gateways keep in the Redis state cache handlers read (ctx.cache): any of guilds, channels, roles, members, threads, threadMembers, emojis, or none. members need the GUILD_MEMBERS intent, emojis the GUILD_EXPRESSIONS one; threads, threadMembers (with threads; memberships of other users need GUILD_MEMBERS) and emojis are kept only when named.',
  ),
  CACHE_MAX_PENDING_ENTRIES: variable(
    positiveInt(1_000),
    'Cache entries (a guild, channel, role, member, thread, thread membership or emoji each) a gateway holds in memory waiting to be written to Redis; past it the gateway pauses reading its shards until half are written (a GUILD_CREATE burst), so its memory does not grow with its guild count (a flush holds at most half). Small on purpose: what waits longer than a few garbage collections stays in the old generation until a full one. While Redis is unreachable it reads on and drops cache writes past GATEWAY_MAX_BUFFERED_EVENTS instead.',
  ),
  CACHE_COMPACT_AFTER_ENTRIES: variable(
    nonNegativeInt(20_000),
    "Cache entries written in a burst (a new session's GUILD_CREATEs) after which the gateway runs one full garbage collection once the writes are done, at most once a minute, so its RSS goes back down instead of staying at the burst's peak (Node gives V8 no idle time to do it); 0 turns it off. The pause is logged ('collected the heap after a burst of cache writes').",
  ),
});

/** The gateway's own variables, each with the description the generated docs show. */
export const gatewayEnvShape = envGroup('Gateway', {
  GATEWAY_SHARD_COUNT: variable(
    shardCount,
    "Total shards of the bot: auto (Discord's recommendation from GET /gateway/bot) or a number.",
  ),
  GATEWAY_SHARD_IDS: variable(shardIds, 'Shards this process runs: all, or ids and ranges such as 0-3,8.'),
  GATEWAY_SHARD_CAPACITY: variable(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .positive('must be greater than 0')
      .optional(),
    {
      description: 'Most shards this process runs at once; other gateways take the rest.',
      unsetMeans: 'all of GATEWAY_SHARD_IDS',
    },
  ),
  GATEWAY_AUTO_RESHARD_FACTOR: variable(
    z.coerce.number({ message: 'must be a number' }).min(1, 'must be at least 1').optional(),
    {
      description:
        "Reshard automatically when Discord's recommended shard count reaches the active count times this factor (checked every GATEWAY_AUTO_RESHARD_CHECK_MS), e.g. 2.",
      unsetMeans: 'never automatically (`npm run cluster -- reshard --to N` only)',
    },
  ),
  GATEWAY_AUTO_RESHARD_CHECK_MS: variable(
    positiveInt(3_600_000),
    "How often (ms) a gateway compares Discord's recommended shard count with the active one, when GATEWAY_AUTO_RESHARD_FACTOR is set.",
  ),
  GATEWAY_RESHARD_DEADLINE_MS: variable(
    positiveInt(600_000),
    'An automatic reshard rolls back when the new shard set is not READY with all its guilds within this long (ms).',
  ),
  GATEWAY_LEASE_TTL_MS: variable(
    positiveInt(10_000),
    "A shard's lease lasts this long (ms) unrenewed; a dead gateway's shards are taken over after it.",
  ),
  GATEWAY_WATCHDOG_STUCK_MS: variable(
    positiveInt(60_000),
    'The watchdog reconnects a shard not READY (connecting, resuming) for this long (ms); time spent waiting for its identify turn does not count.',
  ),
  GATEWAY_WATCHDOG_SILENT_MS: variable(
    positiveInt(300_000),
    'The watchdog reconnects a shard that was receiving events and then got none for this long (ms): a silent feed.',
  ),
  GATEWAY_INTENTS: variable(
    intents,
    'Intents as names (Guilds,GuildMessages or GUILDS,GUILD_MESSAGES) or a number.',
  ),
  GATEWAY_EVENTS: variable(eventList, {
    description: 'Forward only these dispatch events (comma-separated).',
    unsetMeans: 'the events workers registered handlers for',
  }),
  GATEWAY_LANE_ROUTES: variable(laneRoutes, {
    description:
      'Move events between lanes (interactions, events, bulk), e.g. GUILD_MEMBER_ADD=bulk. Defaults: INTERACTION_CREATE=interactions; TYPING_START, PRESENCE_UPDATE=bulk; everything else=events.',
    unsetMeans: 'the default routes',
  }),
  GATEWAY_BATCH_MAX_EVENTS: variable(
    positiveInt(500),
    'A batch of events is written to Redis when it holds this many events, or after GATEWAY_BATCH_MAX_WAIT_MS, whichever comes first.',
  ),
  GATEWAY_BATCH_MAX_WAIT_MS: variable(
    positiveInt(5),
    'A batch is written to Redis when its first event has waited this long (ms), if it did not fill up first.',
  ),
  GATEWAY_MAX_BATCHES_IN_FLIGHT: variable(
    positiveInt(4),
    'Batches being written at once; more waiting events stay buffered in memory.',
  ),
  GATEWAY_JOB_MAX_EVENTS: variable(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .positive('must be greater than 0')
      .max(maxEventsPerJob, `must be at most ${maxEventsPerJob}`)
      .default(250),
    `Events per BullMQ job in the events and bulk lanes (at most ${maxEventsPerJob}; interactions always get a job each). 1 = a job per event, each with a replay-proof job id; more = far fewer Redis operations per event.`,
  ),
  GATEWAY_COMPRESSION: variable(
    z.enum(['none', 'zlib'], { message: 'must be none or zlib' }).default('zlib'),
    'Transport compression: zlib (zlib-stream) or none.',
  ),
  GATEWAY_SHED_HIGH_WATER_MARK: variable(
    positiveInt(10_000),
    'A sheddable lane (bulk) holding more waiting events than this drops new ones (counted per event type, logged).',
  ),
  GATEWAY_MAX_BUFFERED_EVENTS: variable(
    positiveInt(200_000),
    'Events a lane may buffer in memory while Redis is unreachable; past it the events lane drops new events (counted, logged as errors) rather than run out of memory. Interactions are never dropped.',
  ),
  GATEWAY_MAX_EVENT_BYTES: variable(
    positiveInt(1_048_576),
    'A dispatch larger than this (bytes of JSON as received) is parked with its cause instead of queued: every byte of a job is held in Redis and read by a worker.',
  ),
  GATEWAY_DEPTH_POLL_MS: variable(
    positiveInt(250),
    'How often (ms) lane depths are read from Redis for shedding decisions.',
  ),
  GATEWAY_DRAIN_DEADLINE_MS: variable(
    positiveInt(10_000),
    'On SIGTERM, buffered events get this long (ms) to reach Redis.',
  ),
});

export const gatewayEnvSchema = z
  .object({
    ...commonEnvShape,
    ...discordEnvShape,
    ...laneTopologyEnvShape,
    ...gatewayEnvShape,
    ...gatewayCacheEnvShape,
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
