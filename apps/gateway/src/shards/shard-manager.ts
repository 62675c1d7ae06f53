import type { Logger, Redis } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import type { APIGatewayBotInfo } from 'discord-api-types/v10';
import { RedisIdentifyThrottler } from '../cluster/redis-identify-throttler.js';
import type { RedisSessionStore } from '../cluster/redis-session-store.js';
import type { GatewayConfig } from '../config.js';
import { GuardedShardingStrategy, type MalformedFrameReport } from './frame-guard.js';

export interface ShardManagerCluster {
  redis: Redis;
  sessions: RedisSessionStore;
  /** The shards this manager runs, their set's generation and shard count. */
  shardIds: number[];
  generation: number;
  shardCount: number;
  /** GET /gateway/bot as Discord answers it (cached by the process). */
  gatewayInformation: () => Promise<APIGatewayBotInfo>;
  /** Frames that cannot be read go here (see frame-guard.ts); unset = the library's own handling. */
  reportFrame?: MalformedFrameReport;
  /** Aborted when the shard is stopped here: the manager must never connect or deliver again. */
  stopped: AbortSignal;
  /** Told when a shard starts and stops waiting for its identify turn (see `ShardStates.identifyWait`). */
  onIdentifyWait?: (shardId: number, waiting: boolean) => void;
}

/**
 * What a stopped manager's session hooks answer: nothing, ever (see `createShardManager`). A new promise
 * each time: one shared promise would keep every continuation awaiting it, and with it every stopped
 * manager, alive for good; an unreferenced pending promise is collected with what awaits it.
 */
const never = () => new Promise<never>(() => {});

/**
 * Builds the shard manager for this process's shards and logs every state change of every shard.
 * Sessions come from and go to Redis (so another process can resume them), and identifies are spaced
 * across every process of the bot.
 */
export function createShardManager(
  config: GatewayConfig,
  rest: REST,
  logger: Logger,
  cluster: ShardManagerCluster,
): WebSocketManager {
  const reportFrame = cluster.reportFrame;
  const manager = new WebSocketManager({
    ...(reportFrame && {
      buildStrategy: (built: WebSocketManager) => new GuardedShardingStrategy(built, reportFrame),
    }),
    token: config.DISCORD_TOKEN,
    intents: config.GATEWAY_INTENTS,
    rest,
    shardCount: cluster.shardCount,
    shardIds: cluster.shardIds,
    compression: config.GATEWAY_COMPRESSION === 'zlib' ? CompressionMethod.ZlibNative : null,
    // A stopped manager's shard may still reconnect: @discordjs/ws ignores destroy() while the shard
    // waits to reconnect after a close (it is idle then), and reconnects anyway. Its connection would
    // resume the session another process now runs — taking it from that process, feeding events to a
    // shard this process no longer owns. Every connect and every dispatch first asks for the session, so
    // a stopped manager is never answered: it neither opens a connection nor delivers a dispatch.
    retrieveSessionInfo: (shardId) =>
      cluster.stopped.aborted ? never() : cluster.sessions.retrieve(shardId),
    updateSessionInfo: (shardId, session) => {
      if (!cluster.stopped.aborted) cluster.sessions.update(shardId, session);
    },
    buildIdentifyThrottler: async (shardManager) => {
      const { session_start_limit: limit } = await shardManager.fetchGatewayInformation();
      const throttler = new RedisIdentifyThrottler({
        redis: cluster.redis,
        keyPrefix: config.REDIS_KEY_PREFIX,
        generation: cluster.generation,
        maxConcurrency: limit.max_concurrency,
        // Discord's own figure, cached for a minute by the process (GET /gateway/bot is tightly limited);
        // a crash loop burning identifies faster than that is stopped by the loop breaker.
        sessionStartLimit: async () => (await cluster.gatewayInformation()).session_start_limit,
        logger,
      });
      const { onIdentifyWait } = cluster;
      if (!onIdentifyWait) return throttler;
      return {
        async waitForIdentify(shardId: number, signal: AbortSignal) {
          onIdentifyWait(shardId, true);
          try {
            await throttler.waitForIdentify(shardId, signal);
          } finally {
            onIdentifyWait(shardId, false);
          }
        },
      };
    },
  });
  manager.on(WebSocketShardEvents.Ready, (data, shardId) =>
    logger.info({ shardId, guilds: data.guilds.length, sessionId: data.session_id }, 'shard READY'),
  );
  manager.on(WebSocketShardEvents.Resumed, (shardId) => logger.info({ shardId }, 'shard resumed'));
  manager.on(WebSocketShardEvents.Closed, (code, shardId) =>
    logger.warn({ shardId, code }, 'shard connection closed'),
  );
  manager.on(WebSocketShardEvents.Error, (error, shardId) =>
    logger.error({ shardId, err: error }, 'shard error'),
  );
  manager.on(WebSocketShardEvents.Debug, (message, shardId) => logger.trace({ shardId }, message));
  return manager;
}
