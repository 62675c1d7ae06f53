/**
 * Stages the production runtime in a folder: `node scripts/production/stage-runtime.mjs <folder>` after
 * `npm run build`. The folder gets the compiled workspaces the roles need (package.json, dist/, prisma/),
 * the role launcher, and their production dependencies only (`npm ci --omit=dev`): no TypeScript loader,
 * test runner or simulator unless a production package still depends on one. The image copies this folder
 * as it is, and the compiled-build test installs into a temporary folder the same way.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: stage-runtime.mjs <folder>\n');
  process.exit(64);
}
const destination = resolve(target);
/** What a production workspace ships besides its package.json: compiled code and database files. */
const shippedFolders = ['dist', 'prisma'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const rootManifest = readJson(join(root, 'package.json'));
/**
 * Role name → compiled module (shared with start-role.mjs), and workspaces shipped although no role
 * imports them statically: the example bot, which a worker (and the migrate role) loads when
 * WORKER_BOT_MODULE is unset, so the image runs as it is; a team's own image adds its bot and sets the variable.
 */
const { roles: productionRoles, bundledWorkspaces } = readJson(join(here, 'production-roles.json'));

/** Every workspace folder (relative) by package name, from the root's `workspaces` globs (`dir/*` or `dir`). */
function workspaceFolders() {
  const folders = new Map();
  for (const pattern of rootManifest.workspaces) {
    const candidates = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(pattern.slice(0, -2), entry.name))
      : [pattern];
    for (const folder of candidates) {
      const manifest = join(root, folder, 'package.json');
      if (existsSync(manifest)) folders.set(readJson(manifest).name, folder);
    }
  }
  return folders;
}

/** The workspaces the roles' modules run: each role's own workspace and its workspace dependencies, transitively. */
function productionWorkspaces(folders) {
  const byFolder = new Map([...folders].map(([name, folder]) => [folder, name]));
  const pending = [
    ...Object.values(productionRoles).map((entry) => byFolder.get(entry.split('/').slice(0, 2).join('/'))),
    ...bundledWorkspaces,
  ].filter((name) => name !== undefined);
  const needed = new Set();
  while (pending.length > 0) {
    const name = pending.pop();
    if (needed.has(name)) continue;
    needed.add(name);
    const dependencies = readJson(join(root, folders.get(name), 'package.json')).dependencies ?? {};
    for (const dependency of Object.keys(dependencies)) if (folders.has(dependency)) pending.push(dependency);
  }
  return needed;
}

const folders = workspaceFolders();
const production = productionWorkspaces(folders);
rmSync(destination, { recursive: true, force: true });
mkdirSync(destination, { recursive: true });
cpSync(join(root, 'package.json'), join(destination, 'package.json'));
cpSync(join(root, 'package-lock.json'), join(destination, 'package-lock.json'));
cpSync(join(root, 'scripts/production'), join(destination, 'scripts/production'), { recursive: true });
for (const [name, folder] of folders) {
  // Every workspace's manifest keeps the lockfile valid for `npm ci`; only production ones ship code.
  mkdirSync(join(destination, folder), { recursive: true });
  cpSync(join(root, folder, 'package.json'), join(destination, folder, 'package.json'));
  if (!production.has(name)) continue;
  for (const shipped of shippedFolders) {
    const source = join(root, folder, shipped);
    if (existsSync(source)) cpSync(source, join(destination, folder, shipped), { recursive: true });
  }
  if (!existsSync(join(root, folder, 'dist'))) {
    throw new Error(`${folder}/dist is missing: run npm run build first`);
  }
}
execFileSync(
  'npm',
  [
    'ci',
    '--omit=dev',
    // The root postinstall generates the Prisma client with the dev-only Prisma CLI; the client is
    // already compiled into @dgc/shared's dist.
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    ...[...production].flatMap((name) => ['--workspace', name]),
  ],
  { cwd: destination, stdio: 'inherit' },
);
// Non-production workspaces were only placeholders for the lockfile.
for (const [name, folder] of folders) {
  if (!production.has(name)) rmSync(join(destination, folder), { recursive: true, force: true });
}
writeFileSync(
  join(destination, 'production-workspaces.json'),
  `${JSON.stringify([...production].sort(), null, 2)}\n`,
);
