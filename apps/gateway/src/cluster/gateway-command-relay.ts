import {
  CrossSlotPipeline,
  GatewayCommandError,
  gatewayCommandQueueKey,
  gatewayCommandTtlMs,
  type Logger,
  type Redis,
  serializeGatewayCommand,
  type TaskMonitor,
} from '@dgc/shared';
import type { GatewaySendPayload } from 'discord-api-types/v10';
import type { ShardConnections } from '../shards/shard-connections.js';
import type { ShardOwnership } from './shard-ownership.js';

export interface GatewayCommandRelayOptions {
  redis: Redis;
  keyPrefix: string;
  /** The shards this process owns right now. */
  ownership: Pick<ShardOwnership, 'shards'>;
  /** Sends on the shard's connection (@discordjs/ws queues to Discord's 120 per 60 s). */
  connections: Pick<ShardConnections, 'send'>;
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

  /** Polls for commands every 100 ms from now on (a command waits at most that long). */
  schedule(tasks: TaskMonitor): void {
    tasks.every('gateway-commands', 100, () =>
      this.poll().catch((error: unknown) =>
        this.#options.logger.warn({ err: error }, 'reading gateway commands failed'),
      ),
    );
  }

  async poll(): Promise<void> {
    const { redis, keyPrefix, logger } = this.#options;
    const shards = this.#options.ownership.shards;
    if (shards.length === 0) return;
    // One round trip per Redis node: each shard's queue carries the shard's own hash tag.
    const pipeline = new CrossSlotPipeline(redis);
    for (const shardId of shards) {
      const queue = gatewayCommandQueueKey(keyPrefix, shardId);
      pipeline.add(queue, (commands) => commands.lpop(queue, this.#options.batchSize ?? 20));
    }
    const replies = await pipeline.exec();
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
            await this.#options.connections.send(shardId, payload);
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
