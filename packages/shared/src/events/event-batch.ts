import { type GatewayEventEnvelope, InvalidEnvelopeError, parseEnvelope } from './event-envelope.js';

/** The BullMQ job name of a job that carries several events. */
export const eventBatchJobName = 'batch';

/**
 * Many events of one lane (or one partition of an ordered lane) in one BullMQ job: the queue's per-job
 * cost (Lua scripts, locks, completion bookkeeping) is paid once per batch instead of once per event.
 * Events keep the gateway's order.
 */
export interface GatewayEventBatch {
  events: GatewayEventEnvelope[];
}

/**
 * Why an event taken out of a batch failed for good: the worker re-queues it as a job of its own carrying
 * this, so it lands in the failed set with its cause (for inspection and manual retry) without running the
 * handlers again.
 */
export interface EventRejection {
  name: string;
  message: string;
}

/** A single event re-queued from a batch after a permanent failure. */
export interface RejectedEventJob {
  envelope: GatewayEventEnvelope;
  rejection: EventRejection;
}

/** What a lane queue's job holds: one event, a batch of events, or an event rejected from a batch. */
export type GatewayEventJobData = GatewayEventEnvelope | GatewayEventBatch | RejectedEventJob;

export type ParsedEventJob =
  | { kind: 'single'; envelope: GatewayEventEnvelope }
  | { kind: 'batch'; envelopes: GatewayEventEnvelope[] }
  | { kind: 'rejected'; envelope: GatewayEventEnvelope; rejection: EventRejection };

/** Upper bound on events per job: bigger jobs make one slow event hold back too many others. */
export const maxEventsPerJob = 1_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a job that carries a batch (checked on the shape, not the job name, which is free text). */
export function isEventBatch(data: unknown): data is GatewayEventBatch {
  return isRecord(data) && 'events' in data;
}

/** Validates a job's data read from a queue (jobs may be written by other versions or by hand). */
export function parseEventJob(value: unknown): ParsedEventJob {
  if (isEventBatch(value)) {
    const { events } = value;
    if (!Array.isArray(events) || events.length === 0)
      throw new InvalidEnvelopeError('batch job: events must be a non-empty array');
    if (events.length > maxEventsPerJob)
      throw new InvalidEnvelopeError(`batch job: ${events.length} events exceed ${maxEventsPerJob}`);
    return { kind: 'batch', envelopes: events.map((event) => parseEnvelope(event)) };
  }
  if (isRecord(value) && 'rejection' in value) {
    const { rejection, envelope } = value;
    if (!isRecord(rejection) || typeof rejection.message !== 'string' || typeof rejection.name !== 'string')
      throw new InvalidEnvelopeError('rejected event job: rejection must have a name and a message');
    return {
      kind: 'rejected',
      envelope: parseEnvelope(envelope),
      rejection: { name: rejection.name, message: rejection.message },
    };
  }
  return { kind: 'single', envelope: parseEnvelope(value) };
}
