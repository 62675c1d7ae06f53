import type { GatewayEventEnvelope } from '@dgc/shared';
import { describe, expect, it } from 'vitest';
import { checkPayloadShape, InvalidPayloadError } from './payload-shapes.js';

const envelope = (event: string, payload: Record<string, unknown>) =>
  ({ shardId: 0, sequence: 1, event, payload, receivedAt: 0 }) as unknown as GatewayEventEnvelope;

const message = {
  id: '1400000000000000001',
  channel_id: '1400000000000000002',
  author: { id: '1400000000000000003' },
  content: '',
  timestamp: '2026-01-01T00:00:00.000000+00:00',
};

describe('checkPayloadShape', () => {
  it('accepts a complete payload, and events it has no shape for', () => {
    expect(() => checkPayloadShape(envelope('MESSAGE_CREATE', message))).not.toThrow();
    expect(() => checkPayloadShape(envelope('GUILD_BAN_ADD', {}))).not.toThrow();
  });

  it('names every missing or wrong-typed field', () => {
    const check = () =>
      checkPayloadShape(envelope('MESSAGE_CREATE', { ...message, id: 42, author: 'x', guild_id: 'abc' }));
    expect(check).toThrow(InvalidPayloadError);
    expect(check).toThrow(
      'MESSAGE_CREATE payload: id must be a snowflake string; guild_id must be a snowflake string; author must be an object',
    );
    expect(() => checkPayloadShape(envelope('GUILD_MEMBER_ADD', { guild_id: '1', user: {} }))).toThrow(
      'user.id is missing',
    );
  });
});
