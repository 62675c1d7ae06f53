import { describe, expect, it } from 'vitest';
import { parseShardIds } from './shard-ids.js';

describe('parseShardIds', () => {
  it('expands ids and ranges into sorted unique ids', () => {
    expect(parseShardIds('8, 0-3,2,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
  });

  it.each(['a', '3-1', '1,,2', '-1', '0-'])('rejects "%s" with the offending part', (spec) => {
    expect(() => parseShardIds(spec)).toThrow(/shard id|ends before/);
  });
});
