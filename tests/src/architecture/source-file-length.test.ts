import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/services.js';

/** A file longer than this must say why on its first line, as `// Over 300 lines: <reason>`. */
const maxLines = 300;
const reasonLine = /^\/\/ Over 300 lines: \S.{9,}/;
const sourceRoots = ['apps', 'packages', 'examples', 'bench', 'tests', 'scripts'];
const skippedFolders = new Set(['node_modules', 'dist', 'generated', 'artifacts', 'results', '.turbo']);

async function* sourceFiles(folder: string): AsyncGenerator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return; // a root that does not exist in this tree (e.g. no examples yet)
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name)) yield* sourceFiles(path);
    } else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

/** Files over the limit whose first line does not give a reason. */
export function overlongWithoutReason(files: { path: string; text: string }[]): string[] {
  return files.flatMap(({ path, text }) => {
    const lines = text.split('\n');
    const count = text.endsWith('\n') ? lines.length - 1 : lines.length;
    return count > maxLines && !reasonLine.test(lines[0] ?? '') ? [`${path} (${count} lines)`] : [];
  });
}

describe('source file length', () => {
  it('flags a long file without a reason and accepts one with a reason', () => {
    const long = `${'x;\n'.repeat(maxLines + 1)}`;
    expect(overlongWithoutReason([{ path: 'a.ts', text: long }])).toEqual([`a.ts (${maxLines + 1} lines)`]);
    expect(
      overlongWithoutReason([{ path: 'b.ts', text: `// Over 300 lines: one table of every route\n${long}` }]),
    ).toEqual([]);
    expect(overlongWithoutReason([{ path: 'c.ts', text: 'x;\n'.repeat(maxLines) }])).toEqual([]);
  });

  it('keeps every source file at 300 lines or says why on its first line', async () => {
    const files: { path: string; text: string }[] = [];
    for (const root of sourceRoots) {
      for await (const path of sourceFiles(join(repositoryRoot, root))) {
        files.push({ path: relative(repositoryRoot, path), text: await readFile(path, 'utf8') });
      }
    }
    expect(files.length).toBeGreaterThan(100);
    expect(overlongWithoutReason(files)).toEqual([]);
  });
});
