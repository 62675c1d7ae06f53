import type { GatewayEventEnvelope } from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';

/**
 * What a worker receives for one dispatch: its shard and sequence, the event and its payload (the
 * dispatch's own object, not a copy), and when the gateway received it. One object per dispatch, written
 * to Redis as it is.
 */
export function envelopeOf(
  dispatch: GatewayDispatchPayload,
  shardId: number,
  receivedAt: number,
): GatewayEventEnvelope {
  return {
    shardId,
    sequence: dispatch.s,
    event: dispatch.t,
    payload: dispatch.d,
    receivedAt,
  } as GatewayEventEnvelope;
}

/**
 * One job per dispatch of a session: Discord's replay after a resume re-sends the same (session,
 * sequence), and BullMQ drops a job whose id it still holds. Without a session (none stored yet) there is
 * nothing stable to name the job by, and it gets none; workers' dedupe still catches a replay.
 */
export function dispatchJobId(
  shardId: number,
  sessionId: string | undefined,
  sequence: number,
): string | undefined {
  return sessionId ? `${shardId}-${sessionId}-${sequence}` : undefined;
}
