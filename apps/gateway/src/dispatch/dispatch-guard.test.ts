import { createLogger, type ParkedDispatch } from '@dgc/shared';
import { describe, expect, it } from 'vitest';
import { frameSizes, guardShardFrames } from '../shards/frame-guard.js';
import { DispatchGuard } from './dispatch-guard.js';

function guardWith(wanted: readonly string[] = []) {
  const parked: ParkedDispatch[] = [];
  const counted: string[] = [];
  const guard = new DispatchGuard({
    parked: { park: async (record) => void parked.push(record) },
    counters: { malformed: (reason) => void counted.push(reason) },
    filter: { wants: (event) => wanted.includes(event) },
    maxEventBytes: 1_000,
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  return { guard, parked, counted };
}

describe('DispatchGuard', () => {
  it('lets a well-formed dispatch of a known event through', () => {
    const { guard, parked } = guardWith();
    expect(guard.accepts({ op: 0, s: 3, t: 'MESSAGE_CREATE', d: { id: '1' } }, 0)).toBe(true);
    expect(parked).toEqual([]);
  });

  it('parks wrong-typed envelopes, unknown events nobody asked for and oversized payloads, each with its cause', () => {
    const { guard, parked, counted } = guardWith(['BRAND_NEW_EVENT']);
    const oversized = { op: 0, s: 9, t: 'MESSAGE_CREATE', d: { content: 'x' } };
    frameSizes.set(oversized, 5_000);
    const results = [
      guard.accepts({ op: 0, s: 'seven', t: 42, d: [] }, 1),
      guard.accepts({ op: 0, s: 4, t: 'MESSAGE_CREATE', d: 'text' }, 1),
      guard.accepts({ op: 0, s: 5, t: 'SOMETHING_ELSE', d: {} }, 1),
      guard.accepts({ op: 0, s: 6, t: 'BRAND_NEW_EVENT', d: {} }, 1),
      guard.accepts(oversized, 1),
    ];
    expect(results).toEqual([false, false, false, true, false]);
    expect(counted).toEqual(['bad-envelope', 'bad-envelope', 'unknown-event', 'oversized']);
    expect(parked[0]?.cause).toBe(
      't must be an upper-case event name; s must be a positive integer; d must be an object',
    );
    expect(parked[0]?.sequence).toBeUndefined();
    expect(parked[1]).toMatchObject({ event: 'MESSAGE_CREATE', sequence: 4, cause: 'd must be an object' });
    expect(parked[3]).toMatchObject({
      bytes: 5_000,
      cause: '5000 bytes exceed GATEWAY_MAX_EVENT_BYTES (1000)',
    });
  });

  it('masks interaction tokens in what it keeps of a parked payload', () => {
    const { guard, parked } = guardWith();
    guard.accepts({ op: 0, s: 1, t: 'INTERACTION_CREATE', d: 'x', token: 'secret-token-value' }, 0);
    expect(parked[0]?.preview).toContain('"token":"[redacted]"');
    expect(parked[0]?.preview).not.toContain('secret-token-value');
  });
});

describe('frame guard', () => {
  const shard = () => {
    const reports: string[] = [];
    const internals = {
      inflateBuffer: [Buffer.from('left over')],
      unpackMessage: async (_data: unknown, _isBinary: boolean): Promise<unknown> => {
        throw new Error('inflate failed');
      },
      parseInflateResult: (_result: unknown): unknown => null,
    };
    guardShardFrames(internals, 3, (_shardId, reason, cause) => void reports.push(`${reason}: ${cause}`));
    return { internals, reports };
  };

  it('reads text frames itself: JSON objects pass with their size, anything else is reported', async () => {
    const { internals, reports } = shard();
    const payload = (await internals.unpackMessage('{"op":0,"t":"X","s":1,"d":{}}', false)) as object;
    expect(frameSizes.get(payload)).toBe(29);
    expect(await internals.unpackMessage('{"op":0,', false)).toBeNull();
    expect(await internals.unpackMessage('[1,2]', false)).toBeNull();
    expect(reports).toEqual([
      expect.stringMatching(/^not-json: the frame is not JSON/),
      'not-json: the frame is JSON but not an object',
    ]);
  });

  it('reports invalid UTF-8 and garbage in inflated messages without throwing, and clears the inflate buffer', async () => {
    const { internals, reports } = shard();
    expect(internals.parseInflateResult(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toBeNull();
    expect(internals.parseInflateResult(Buffer.from('not json'))).toBeNull();
    expect(internals.inflateBuffer).toEqual([]);
    expect(await internals.unpackMessage(new ArrayBuffer(4), true)).toBeNull();
    expect(reports).toEqual([
      'invalid-utf8: the frame is not valid UTF-8',
      expect.stringMatching(/^not-json/),
      expect.stringMatching(/^not-json: the frame could not be inflated/),
    ]);
  });
});
