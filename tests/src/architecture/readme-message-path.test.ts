import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/services.js';

/** The README's file-by-file walk of a MESSAGE_CREATE, between its markers. */
function messagePathSection(readme: string): string {
  const start = readme.indexOf('<!-- message-path:start -->');
  const end = readme.indexOf('<!-- message-path:end -->');
  if (start < 0 || end < start) throw new Error('README has no message-path section');
  return readme.slice(start, end);
}

/** Every back-quoted path in a section (anything with a slash and a file extension). */
export function namedFiles(section: string): string[] {
  return [...section.matchAll(/`([\w@./-]+\/[\w.-]+\.(?:ts|lua))`/g)].map((match) => match[1] ?? '');
}

/** Step numbers in table order. */
function steps(section: string): number[] {
  return [...section.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
}

describe("the README's MESSAGE_CREATE path", () => {
  const section = messagePathSection(readFileSync(join(repositoryRoot, 'README.md'), 'utf8'));

  it('names only files that exist in the tree', () => {
    const files = namedFiles(section);
    expect(files.length).toBeGreaterThan(15);
    expect(files.filter((file) => !existsSync(join(repositoryRoot, file)))).toEqual([]);
  });

  it('walks the stages in order: shards → dispatch → publish → lane consumers → batch → handlers', () => {
    const order = [
      'apps/gateway/src/shards/',
      'apps/gateway/src/dispatch/',
      'apps/gateway/src/publish/',
      'apps/worker/src/runtime/lane-consumers.ts',
      'apps/worker/src/runtime/batch-processor.ts',
      'apps/worker/src/runtime/handler-invoker.ts',
    ].map((prefix) => namedFiles(section).findIndex((file) => file.startsWith(prefix)));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const numbers = steps(section);
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  });

  it('would catch a file that is not there', () => {
    const broken = `${section}| 99 | \`apps/gateway/src/no-such-stage.ts\` | |`;
    expect(namedFiles(broken).filter((file) => !existsSync(join(repositoryRoot, file)))).toEqual([
      'apps/gateway/src/no-such-stage.ts',
    ]);
  });
});
