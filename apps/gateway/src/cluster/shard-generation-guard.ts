import {
  type GenerationState,
  type Logger,
  type Redis,
  RedisKeys,
  readGenerationState,
  withRedisScripts,
} from '@dgc/shared';

/** EX_CONFIG: the operator must make the counts agree (or reshard); restarting alone cannot help. */
export class ShardCountMismatchError extends Error {
  override readonly name = 'ShardCountMismatchError';
  readonly exitCode = 78;
}

/**
 * Joins the cluster's shard generation, or refuses to start (exit 78). The first gateway creates
 * generation 1 with its count (`auto`: Discord's recommendation); a later one must be configured with the
 * active count or `auto` (it follows the cluster), or with the count of a reshard under way. Any other
 * count would run a second shard set contending for the same guilds.
 */
export async function joinShardGeneration(options: {
  redis: Redis;
  keyPrefix: string;
  /** GATEWAY_SHARD_COUNT, or null for auto. */
  configured: number | null;
  /** Discord's recommended count (read only when creating generation 1 with auto). */
  recommended: () => Promise<number>;
  logger: Logger;
}): Promise<GenerationState> {
  const { redis, keyPrefix, configured, logger } = options;
  const key = new RedisKeys(keyPrefix).generationState();
  const exists = (await redis.exists(key)) === 1;
  const createCount = configured ?? (exists ? 0 : await options.recommended());
  const [status, active, activeCount, target, targetCount] = await withRedisScripts(redis).joinGeneration(
    key,
    configured ?? 0,
    createCount,
  );
  if (status === 'mismatch') {
    const reshard = Number(target) > 0 ? ` (a reshard to ${targetCount} shards is under way)` : '';
    throw new ShardCountMismatchError(
      `GATEWAY_SHARD_COUNT=${configured} does not match the cluster's active shard generation ${active}, which runs ${activeCount} shards${reshard}: start this gateway with GATEWAY_SHARD_COUNT=${activeCount} or auto, or change the cluster's count with \`npm run cluster -- reshard --to ${configured}\``,
    );
  }
  logger.info(
    { status, generation: Number(active), shardCount: Number(activeCount) },
    'joined the shard generation',
  );
  const state = await readGenerationState(redis, keyPrefix);
  if (!state) throw new Error('the shard generation record vanished while joining it');
  return state;
}
