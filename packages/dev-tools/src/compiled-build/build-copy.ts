import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Copies the repository's working tree (tracked and untracked files, not what .gitignore excludes: no
 * node_modules, dist, generated clients or .env) to `destination`, and gives the copy the repository's
 * installed dependencies through symlinks, its workspace links pointing into the copy. A build there reads
 * and writes only the copy, so it never races the repository's own dist/ or generated Prisma clients while
 * tests or a typecheck use them, and it leaves the working tree as it found it.
 */
export function copyRepositoryForBuild(repositoryRoot: string, destination: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repositoryRoot, file))); // deleted but still tracked
  for (const file of files) {
    mkdirSync(dirname(join(destination, file)), { recursive: true });
    copyFileSync(join(repositoryRoot, file), join(destination, file));
  }
  linkInstalledDependencies(repositoryRoot, destination, 'node_modules');
  // Workspaces with dependencies npm could not hoist keep their own node_modules (external packages only).
  for (const manifest of files.filter((file) => file.endsWith('package.json'))) {
    const nested = join(dirname(manifest), 'node_modules');
    if (nested !== 'node_modules' && existsSync(join(repositoryRoot, nested))) {
      symlinkSync(join(repositoryRoot, nested), join(destination, nested));
    }
  }
}

/**
 * Links every entry of `folder` (relative, a node_modules or a scope in one) from the repository into the
 * copy: external packages to the repository's installed copy, workspace links to the copy's workspace.
 */
function linkInstalledDependencies(repositoryRoot: string, destination: string, folder: string): void {
  mkdirSync(join(destination, folder), { recursive: true });
  for (const entry of readdirSync(join(repositoryRoot, folder))) {
    const path = join(folder, entry);
    const original = join(repositoryRoot, path);
    const isLink = lstatSync(original).isSymbolicLink();
    if (entry.startsWith('@') && !isLink) {
      linkInstalledDependencies(repositoryRoot, destination, path);
      continue;
    }
    const target = isLink ? resolve(dirname(original), readlinkSync(original)) : original;
    const workspace = relative(repositoryRoot, target);
    const inWorkspace = isLink && !workspace.startsWith('..') && !workspace.startsWith('node_modules');
    symlinkSync(inWorkspace ? join(destination, workspace) : original, join(destination, path));
  }
}
