import { type Redis, readGenerationState, sendGatewayCommand } from '@dgc/shared';
import type { GatewayPresenceUpdateData, GatewaySendPayload } from 'discord-api-types/v10';
import { GatewayOpcodes } from 'discord-api-types/v10';

/**
 * Gateway commands from a job (presence updates, member requests): queued in Redis for whichever gateway
 * holds the shard, which sends them within Discord's 120-per-minute budget.
 */
export interface GatewayCommands {
  /** Sends `payload` on one shard's connection. */
  send(shardId: number, payload: GatewaySendPayload): Promise<void>;
  /** Sets the bot's presence on every shard (the count the gateways run with); resolves to the shard count. */
  setPresence(presence: GatewayPresenceUpdateData): Promise<number>;
}

/** The runtime's implementation, over the cluster's Redis. */
export class RedisGatewayCommands implements GatewayCommands {
  readonly #redis: Redis;
  readonly #keyPrefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
  }

  send(shardId: number, payload: GatewaySendPayload): Promise<void> {
    return sendGatewayCommand(this.#redis, this.#keyPrefix, shardId, payload);
  }

  async setPresence(presence: GatewayPresenceUpdateData): Promise<number> {
    // The active generation's count (during a reshard the new set takes its presence when it starts).
    const shardCount = (await readGenerationState(this.#redis, this.#keyPrefix))?.active.shardCount ?? 0;
    // No gateway has joined a generation yet: nobody is connected to show a presence to.
    if (!Number.isInteger(shardCount) || shardCount < 1) return 0;
    await Promise.all(
      Array.from({ length: shardCount }, (_, shardId) =>
        this.send(shardId, { op: GatewayOpcodes.PresenceUpdate, d: presence }),
      ),
    );
    return shardCount;
  }
}
