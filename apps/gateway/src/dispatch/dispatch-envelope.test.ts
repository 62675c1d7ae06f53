import { GatewayDispatchEvents, type GatewayDispatchPayload } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { dispatchJobId, envelopeOf } from './dispatch-envelope.js';

describe('envelopeOf', () => {
  it('carries the shard, the sequence, the event, the payload itself and when it was received', () => {
    const payload = { channel_id: '10', user_id: '20', timestamp: 1 };
    const dispatch = {
      op: 0,
      t: GatewayDispatchEvents.TypingStart,
      s: 42,
      d: payload,
    } as GatewayDispatchPayload;
    const envelope = envelopeOf(dispatch, 3, 1_700_000_000_000);
    expect(envelope).toEqual({
      shardId: 3,
      sequence: 42,
      event: 'TYPING_START',
      payload,
      receivedAt: 1_700_000_000_000,
    });
    // Not a copy: the dispatch's own object goes to Redis.
    expect(envelope.payload).toBe(payload);
  });
});

describe('dispatchJobId', () => {
  it('names a job by shard, session and sequence, so a replay after a resume is the same job', () => {
    expect(dispatchJobId(3, 'session-a', 42)).toBe('3-session-a-42');
    expect(dispatchJobId(3, 'session-a', 42)).toBe(dispatchJobId(3, 'session-a', 42));
    expect(dispatchJobId(3, 'session-b', 42)).not.toBe(dispatchJobId(3, 'session-a', 42));
  });

  it('gives no id without a session', () => {
    expect(dispatchJobId(3, undefined, 42)).toBeUndefined();
  });
});
