import { GatewayOpcodes, type GatewaySendPayload } from 'discord-api-types/v10';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

/** Payloads other processes may have a shard send: never IDENTIFY, RESUME or heartbeats. */
export const relayableGatewayOpcodes: ReadonlySet<number> = new Set([
  GatewayOpcodes.PresenceUpdate,
  GatewayOpcodes.VoiceStateUpdate,
  GatewayOpcodes.RequestGuildMembers,
]);

/** Discord closes the connection for a payload over 4096 bytes. */
export const maxGatewayPayloadBytes = 4_096;

/** A command that has waited this long for its shard's owner is dropped: it would act on stale intent. */
export const gatewayCommandTtlMs = 60_000;

export class GatewayCommandError extends Error {
  override readonly name = 'GatewayCommandError';
}

export function gatewayCommandQueueKey(keyPrefix: string, shardId: number): string {
  return new RedisKeys(keyPrefix).gatewayCommands(shardId);
}

/** Checks a payload before it is queued or sent; returns it serialised. */
export function serializeGatewayCommand(payload: GatewaySendPayload): string {
  if (!relayableGatewayOpcodes.has(payload.op)) {
    throw new GatewayCommandError(
      `opcode ${payload.op} cannot be sent through the cluster (allowed: presence update, voice state update, request guild members)`,
    );
  }
  const serialized = JSON.stringify(payload);
  if (Buffer.byteLength(serialized) > maxGatewayPayloadBytes) {
    throw new GatewayCommandError(
      `gateway payload of ${Buffer.byteLength(serialized)} bytes exceeds Discord's 4096`,
    );
  }
  return serialized;
}

/**
 * Asks whichever process owns `shardId` to send `payload` on that shard's connection (a presence update,
 * a request for guild members). Queued in Redis, so a command sent during a hand-over is sent by the next
 * owner; the owner sends at most what Discord allows (120 payloads per 60 s, @discordjs/ws queues them).
 */
export async function sendGatewayCommand(
  redis: Redis,
  keyPrefix: string,
  shardId: number,
  payload: GatewaySendPayload,
): Promise<void> {
  const key = gatewayCommandQueueKey(keyPrefix, shardId);
  const entry = JSON.stringify({
    payload: JSON.parse(serializeGatewayCommand(payload)),
    queuedAt: Date.now(),
  });
  await redis.multi().rpush(key, entry).pexpire(key, gatewayCommandTtlMs).exec();
}
