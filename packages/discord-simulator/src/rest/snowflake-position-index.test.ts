import { describe, expect, it } from 'vitest';
import { SnowflakePositionIndex } from './snowflake-position-index.js';

const snowflake = (index: number) => (1_577_477_522_286_575_616n + BigInt(index) * 4_194_304n).toString();

describe('SnowflakePositionIndex', () => {
  it('finds the newest ids by position and forgets those pushed out', () => {
    const index = new SnowflakePositionIndex(1_000);
    const ids = Array.from({ length: 2_500 }, (_, position) => snowflake(position));
    expect(ids.map((id) => index.add(id))).toEqual(ids.map((_, position) => position));
    expect(index.positionOf(ids[1_499] as string)).toBeUndefined();
    expect(index.positionOf(ids[1_500] as string)).toBe(1_500);
    expect(index.positionOf(ids[2_499] as string)).toBe(2_499);
    expect(index.positionOf(snowflake(2_500))).toBeUndefined();
  });

  it('tells apart ids that share a hash, through eviction and forgetting', () => {
    // Two hash bits: almost every id collides with a kept one.
    const index = new SnowflakePositionIndex(8, 2);
    const ids = Array.from({ length: 20 }, (_, position) => snowflake(position));
    for (const id of ids) index.add(id);
    expect(ids.map((id) => index.positionOf(id))).toEqual(
      ids.map((_, position) => (position >= 12 ? position : undefined)),
    );
    index.forget(ids[15] as string);
    index.forget(ids[12] as string);
    expect(index.positionOf(ids[15] as string)).toBeUndefined();
    expect(index.positionOf(ids[12] as string)).toBeUndefined();
    for (const position of [13, 14, 16, 17, 18, 19])
      expect(index.positionOf(ids[position] as string)).toBe(position);
    index.add(snowflake(20));
    expect(index.positionOf(snowflake(20))).toBe(20);
    expect(index.positionOf(ids[13] as string)).toBe(13);
  });

  it('answers ids that are not snowflakes without matching a stored one', () => {
    const index = new SnowflakePositionIndex(4);
    index.add('123');
    index.add('not-a-snowflake');
    expect(index.positionOf('0123')).toBeUndefined();
    expect(index.positionOf('123')).toBe(0);
    expect(index.positionOf('not-a-snowflake')).toBe(1);
    expect(index.positionOf('')).toBeUndefined();
  });
});
