import { describe, expect, it } from 'vitest';
import { InvalidEnvelopeError, parseEnvelope } from './event-envelope.js';

describe('parseEnvelope', () => {
  const valid = {
    shardId: 0,
    sequence: 7,
    event: 'MESSAGE_CREATE',
    payload: { id: '1' },
    receivedAt: Date.now(),
  };

  it('accepts a well-formed envelope', () => {
    expect(parseEnvelope(valid)).toEqual(valid);
  });

  it.each([
    ['not an object', 'hello'],
    ['negative shard', { ...valid, shardId: -1 }],
    ['fractional sequence', { ...valid, sequence: 1.5 }],
    ['lower-case event', { ...valid, event: 'message_create' }],
    ['missing payload', { ...valid, payload: undefined }],
    ['array payload', { ...valid, payload: [] }],
    ['string timestamp', { ...valid, receivedAt: 'now' }],
  ])('rejects %s with a typed error', (_label, input) => {
    expect(() => parseEnvelope(input)).toThrow(InvalidEnvelopeError);
  });
});
