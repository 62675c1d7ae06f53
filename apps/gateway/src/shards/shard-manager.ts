import type { Logger } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import type { GatewayConfig } from '../config.js';

/** Builds the shard manager for this process's shards and logs every state change of every shard. */
export function createShardManager(config: GatewayConfig, rest: REST, logger: Logger): WebSocketManager {
  const manager = new WebSocketManager({
    token: config.DISCORD_TOKEN,
    intents: config.GATEWAY_INTENTS,
    rest,
    shardCount: config.GATEWAY_SHARD_COUNT,
    shardIds: config.GATEWAY_SHARD_IDS,
    compression: config.GATEWAY_COMPRESSION === 'zlib' ? CompressionMethod.ZlibNative : null,
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
