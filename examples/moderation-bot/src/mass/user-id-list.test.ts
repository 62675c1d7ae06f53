import { describe, expect, it } from 'vitest';
import { isSnowflake, parseUserIdList } from './user-id-list.js';

const a = '1200000000000000001';
const b = '1200000000000000002';
const c = '1200000000000000003';

describe('user id lists', () => {
  it('reads ids separated by spaces, commas, semicolons and new lines, as mentions or quoted cells', () => {
    expect(parseUserIdList(`${a}, <@${b}>\r\n"${c}";<@!${a}>\n\n`)).toEqual({
      ids: [a, b, c],
      duplicates: 1,
      invalid: [],
    });
  });

  it('reports every entry that is not a user id with its line', () => {
    expect(parseUserIdList(`${a}\nuser_id ${b}\n123 ${'9'.repeat(20)}`).invalid).toEqual([
      { entry: 'user_id', line: 2 },
      { entry: '123', line: 3 },
      { entry: '9'.repeat(20), line: 3 },
    ]);
  });

  it('takes 17 to 20 digits within 64 bits as snowflakes', () => {
    expect(isSnowflake('80351110224678912')).toBe(true);
    expect(isSnowflake('18446744073709551615')).toBe(true);
    expect(isSnowflake('18446744073709551616')).toBe(false);
    expect(isSnowflake('1234567890123456')).toBe(false);
  });
});
