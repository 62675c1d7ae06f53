import { type Logger, type Redis, readGenerationState, startReshard, type TaskMonitor } from '@dgc/shared';
import type { GatewayConfig } from '../config.js';
import type { DiscordGatewayInfo } from '../shards/discord-gateway-info.js';

/**
 * Optional automatic resharding: every GATEWAY_AUTO_RESHARD_CHECK_MS, when Discord recommends at least
 * GATEWAY_AUTO_RESHARD_FACTOR times the active count, start a reshard to the recommendation. Every gateway
 * checks; the reshard's Lua script lets one start and refuses the others.
 */
export interface AutoReshardOptions {
  config: GatewayConfig;
  redis: Redis;
  gatewayInfo: DiscordGatewayInfo;
  logger: Logger;
}

export class AutoReshard {
  readonly #options: AutoReshardOptions;

  constructor(options: AutoReshardOptions) {
    this.#options = options;
  }

  schedule(tasks: TaskMonitor): void {
    const { config, logger } = this.#options;
    if (config.GATEWAY_AUTO_RESHARD_FACTOR === undefined) return;
    tasks.every('auto-reshard', config.GATEWAY_AUTO_RESHARD_CHECK_MS, () =>
      this.check().catch((error: unknown) => logger.warn({ err: error }, 'automatic reshard check failed')),
    );
  }

  async check(): Promise<void> {
    const { config, redis, gatewayInfo, logger } = this.#options;
    const factor = config.GATEWAY_AUTO_RESHARD_FACTOR;
    const state = await readGenerationState(redis, config.REDIS_KEY_PREFIX);
    if (factor === undefined || !state || state.target) return;
    const recommended = (await gatewayInfo.read(true)).shards;
    if (recommended < state.active.shardCount * factor) return;
    const outcome = await startReshard(redis, config.REDIS_KEY_PREFIX, {
      toShardCount: recommended,
      deadlineMs: config.GATEWAY_RESHARD_DEADLINE_MS,
    });
    if (outcome.started)
      logger.warn(
        { from: state.active.shardCount, to: recommended },
        'Discord recommends more shards: resharding',
      );
    else logger.info({ reason: outcome.reason, recommended }, 'automatic reshard not started');
  }
}
