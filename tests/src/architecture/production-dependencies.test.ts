import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repositoryRoot } from '@dgc/dev-tools/supervision';
import { describe, expect, it } from 'vitest';

/**
 * What a deployment installs for an app is its package.json "dependencies", then theirs, and so on (never
 * devDependencies, never peers). None of that may be development code: the simulator, the development
 * tools, the test runner, a TypeScript compiler or loader. (Imports are checked by dependency-cruiser in
 * `npm run lint`; this checks what would be installed.)
 */
const developmentOnly = new Set(['@dgc/discord-simulator', '@dgc/dev-tools', 'vitest', 'tsx', 'typescript']);

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readPackage = (directory: string) =>
  JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as PackageJson;

/** Node's lookup: the nearest node_modules/<name> from `fromDirectory` up to the root. */
function packageDirectory(name: string, fromDirectory: string): string | undefined {
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (directory === dirname(directory)) return undefined;
  }
}

/** Every package a production install of the package at `root` brings in, each with one path to it. */
function productionClosure(root: string): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const queue: { directory: string; path: string[] }[] = [
    { directory: root, path: [readPackage(root).name] },
  ];
  const visited = new Set<string>();
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (visited.has(next.directory)) continue;
    visited.add(next.directory);
    const manifest = readPackage(next.directory);
    const optional = manifest.optionalDependencies ?? {};
    for (const name of Object.keys({ ...manifest.dependencies, ...optional })) {
      const directory = packageDirectory(name, next.directory);
      if (!directory) {
        // An optional dependency for another platform is legitimately absent.
        if (name in optional) continue;
        throw new Error(`${next.path.join(' > ')} depends on ${name}, which is not installed`);
      }
      const path = [...next.path, name];
      if (!reached.has(name)) reached.set(name, path);
      queue.push({ directory, path });
    }
  }
  return reached;
}

/** apps/*, packages/* and examples/*, without the two packages that exist for development only. */
const productionWorkspaces = ['apps', 'packages', 'examples'].flatMap((folder) =>
  readdirSync(join(repositoryRoot, folder))
    .map((name) => `${folder}/${name}`)
    .filter((workspace) => existsSync(join(repositoryRoot, workspace, 'package.json')))
    .filter((workspace) => !['packages/discord-simulator', 'packages/dev-tools'].includes(workspace)),
);

describe('production dependencies', () => {
  it.each(productionWorkspaces)('%s installs no development code', (workspace) => {
    const offending = [...productionClosure(join(repositoryRoot, workspace))]
      .filter(([name]) => developmentOnly.has(name))
      .map(([, path]) => path.join(' > '));
    expect(offending).toEqual([]);
  });

  it('follows workspace packages and their own dependencies', () => {
    const closure = productionClosure(join(repositoryRoot, 'apps/worker'));
    expect(closure.get('@dgc/rest')).toEqual(['@dgc/worker', '@dgc/rest']);
    expect(closure.get('@discordjs/rest')).toBeDefined();
    expect(closure.get('pg')?.at(-1)).toBe('pg');
  });
});
