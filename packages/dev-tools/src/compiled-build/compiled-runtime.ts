import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { repositoryRoot } from '../supervision/repository-root.js';
import { copyRepositoryForBuild } from './build-copy.js';

/** A compiled build staged as the image ships it, beside the source copy it was built from. */
export interface CompiledRuntime {
  /** The staged runtime: compiled workspaces, production dependencies, scripts/production. */
  readonly runtimeFolder: string;
  /** The copy of the repository the build ran in, with every workspace's dist/ (to pack a package from). */
  readonly sourceCopy: string;
  /** Removes both folders. */
  remove(): Promise<void>;
}

/** The build script the Dockerfile's build stage runs. */
export const productionBuildScript = 'scripts/production/build-production.sh';

/**
 * Turborepo's cache for builds in copies: kept in the repository's node_modules (ignored, per checkout), so
 * a second build of unchanged sources restores dist/ instead of compiling again.
 */
const buildCacheFolder = join(repositoryRoot, 'node_modules/.cache/dgc-compiled-build/turbo');

/**
 * Builds the repository's working tree in a copy under `workFolder` with the production build script and
 * stages the runtime there (`<workFolder>/runtime`): what the Dockerfile runs, without touching the
 * repository's own dist/. Rejects with the script's output when it fails.
 */
export async function buildCompiledRuntime(workFolder: string): Promise<CompiledRuntime> {
  const sourceCopy = join(workFolder, 'source');
  const runtimeFolder = join(workFolder, 'runtime');
  const remove = () => rm(workFolder, { recursive: true, force: true });
  await mkdir(workFolder, { recursive: true });
  try {
    copyRepositoryForBuild(repositoryRoot, sourceCopy);
    await runToCompletion(join(sourceCopy, productionBuildScript), [runtimeFolder], {
      cwd: sourceCopy,
      env: { ...process.env, TURBO_CACHE_DIR: buildCacheFolder, TURBO_TELEMETRY_DISABLED: '1' },
    });
  } catch (error) {
    await remove();
    throw error;
  }
  return { runtimeFolder, sourceCopy, remove };
}

/** Runs a command to its end and resolves with its stdout; rejects with its last output unless it exits with 0. */
export function runToCompletion(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      keep(chunk);
    });
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}:\n${output}`));
    });
  });
}
