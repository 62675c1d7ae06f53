import {
  GatewayCommandError,
  gatewayCommandQueueKey,
  gatewayCommandTtlMs,
  type Logger,
  type Redis,
  serializeGatewayCommand,
} from '@dgc/shared';
import type { GatewaySendPayload } from 'discord-api-types/v10';

export interface GatewayCommandRelayOptions {
  redis: Redis;
  keyPrefix: string;
  /** The shards this process owns right now. */
  ownedShards(): readonly number[];
  /** Sends on the shard's connection (@discordjs/ws queues to Discord's 120 per 60 s). */
  send(shardId: number, payload: GatewaySendPayload): Promise<void>;
  logger: Logger;
  /** Commands taken per shard per poll. */
  batchSize?: number;
}

/**
 * Sends the gateway commands other processes queued for the shards this process owns. Each entry is
 * validated again here (a queue is input like any other); malformed or stale ones are logged and dropped.
 */
export class GatewayCommandRelay {
  readonly #options: GatewayCommandRelayOptions;
  #sent = 0;
  #rejected = 0;

  constructor(options: GatewayCommandRelayOptions) {
    this.#options = options;
  }

  get counts(): { sent: number; rejected: number } {
    return { sent: this.#sent, rejected: this.#rejected };
  }

  async poll(): Promise<void> {
    const { redis, keyPrefix, logger } = this.#options;
    const shards = this.#options.ownedShards();
    if (shards.length === 0) return;
    const pipeline = redis.pipeline();
    for (const shardId of shards)
      pipeline.lpop(gatewayCommandQueueKey(keyPrefix, shardId), this.#options.batchSize ?? 20);
    const replies = (await pipeline.exec()) ?? [];
    await Promise.all(
      shards.map(async (shardId, index) => {
        const entries = replies[index]?.[1];
        if (!Array.isArray(entries)) return;
        for (const entry of entries as string[]) {
          try {
            const { payload, queuedAt } = JSON.parse(entry) as {
              payload: GatewaySendPayload;
              queuedAt: number;
            };
            if (Date.now() - queuedAt > gatewayCommandTtlMs)
              throw new GatewayCommandError('command expired in the queue');
            serializeGatewayCommand(payload);
            await this.#options.send(shardId, payload);
            this.#sent += 1;
          } catch (error) {
            this.#rejected += 1;
            logger.warn({ err: error, shardId }, 'dropped a gateway command');
          }
        }
      }),
    );
  }
}
