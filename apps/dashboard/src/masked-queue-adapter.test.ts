import { describe, expect, it } from 'vitest';
import { maskedValue, maskJobSecrets } from './masked-queue-adapter.js';

const token = 'aW50ZXJhY3Rpb246c2VjcmV0LXRva2VuLWZvci10ZXN0cw';
const interaction = { id: '1', type: 2, token, data: { name: 'ping', options: [] } };
const envelope = { event: 'INTERACTION_CREATE', shardId: 0, sequence: 7, payload: interaction };

describe('maskJobSecrets', () => {
  it.each([
    ['a single event', envelope],
    ['a batch', { events: [envelope, { ...envelope, sequence: 8 }] }],
    ['a parked event', { envelope, rejection: { name: 'Error', message: 'nope' } }],
  ])('masks the interaction token of %s and keeps the rest', (_label, data) => {
    const masked = maskJobSecrets(data);
    expect(JSON.stringify(masked)).not.toContain(token);
    expect(JSON.stringify(masked)).toContain(`"token":"${maskedValue}"`);
    expect(JSON.stringify(masked).replaceAll(maskedValue, token)).toBe(JSON.stringify(data));
  });

  it('leaves the job data it was given untouched', () => {
    maskJobSecrets(envelope);
    expect(envelope.payload.token).toBe(token);
  });

  it('passes values without secrets through', () => {
    expect(maskJobSecrets(undefined)).toBeUndefined();
    expect(maskJobSecrets('text')).toBe('text');
    expect(maskJobSecrets({ count: 3, token: null })).toEqual({ count: 3, token: null });
  });
});
