import type { GatewayDispatchEvents, GatewayDispatchPayload } from 'discord-api-types/v10';

/** The data carried for one dispatch event of type `Name`, as Discord sends it in `d`. */
export type DispatchData<Name extends GatewayDispatchEvents> = Extract<
  GatewayDispatchPayload,
  { t: Name }
>['d'];

/**
 * What a gateway puts on a queue for one dispatch. `shardId` + `sequence` identify the dispatch within a
 * session; `receivedAt` lets workers measure gateway→worker latency.
 */
export interface GatewayEventEnvelope<Name extends GatewayDispatchEvents = GatewayDispatchEvents> {
  shardId: number;
  sequence: number;
  event: Name;
  payload: DispatchData<Name>;
  /** Milliseconds since the epoch when the gateway received the dispatch. */
  receivedAt: number;
}

export class InvalidEnvelopeError extends Error {
  override readonly name = 'InvalidEnvelopeError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of an envelope read from a queue. Jobs can be written by other versions or by hand, so
 * a worker validates before dispatching instead of trusting the type.
 */
export function parseEnvelope(value: unknown): GatewayEventEnvelope {
  if (!isRecord(value)) throw new InvalidEnvelopeError('envelope is not an object');
  const { shardId, sequence, event, payload, receivedAt } = value;
  const problems: string[] = [];
  if (!Number.isInteger(shardId) || (shardId as number) < 0)
    problems.push('shardId must be a non-negative integer');
  if (!Number.isInteger(sequence) || (sequence as number) < 0)
    problems.push('sequence must be a non-negative integer');
  if (typeof event !== 'string' || !/^[A-Z_]+$/.test(event))
    problems.push('event must be an upper-case event name');
  if (!isRecord(payload)) problems.push('payload must be an object');
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt))
    problems.push('receivedAt must be a timestamp');
  if (problems.length > 0) throw new InvalidEnvelopeError(`invalid envelope: ${problems.join('; ')}`);
  return value as unknown as GatewayEventEnvelope;
}
