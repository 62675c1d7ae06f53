import { diagnosticNodeFlags } from '../supervision/launch-script.js';
import { ManagedProcess } from '../supervision/managed-process.js';
import { waitUntilReady } from '../supervision/readiness.js';
import { freePort } from '../testing/free-port.js';

/** The process roles of the image (scripts/production/production-roles.json). */
export type ProductionRole = 'gateway' | 'worker' | 'scheduler' | 'dashboard' | 'migrate';

/**
 * Starts a role from a staged runtime as the image does: plain `node scripts/production/start-role.mjs
 * <role>` in the runtime folder, no TypeScript loader and no `source` condition, NODE_ENV=production.
 * JSON logs captured.
 */
export function launchCompiledRole(
  runtimeFolder: string,
  role: ProductionRole,
  env: NodeJS.ProcessEnv,
  name: string = role,
  onLine?: (line: string) => void,
): ManagedProcess {
  return ManagedProcess.start({
    name,
    cwd: runtimeFolder,
    args: [...diagnosticNodeFlags(), 'scripts/production/start-role.mjs', role],
    env: {
      ...process.env,
      // Whatever loader the caller runs under (tsx, vitest) must not reach the compiled process.
      NODE_OPTIONS: '',
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...env,
    },
    onLine,
  });
}

/**
 * Starts a long-running role from a staged runtime and waits until its `/readyz` answers 200 on a free
 * METRICS_PORT (unless `env` names one). A role not ready in time is killed.
 */
export async function startCompiledRole(
  runtimeFolder: string,
  role: Exclude<ProductionRole, 'migrate'>,
  env: NodeJS.ProcessEnv,
  name: string = role,
  timeoutMs = 30_000,
  onLine?: (line: string) => void,
): Promise<ManagedProcess> {
  const port = Number(env.METRICS_PORT) > 0 ? Number(env.METRICS_PORT) : await freePort();
  const service = launchCompiledRole(
    runtimeFolder,
    role,
    { ...env, METRICS_PORT: String(port) },
    name,
    onLine,
  );
  try {
    return await waitUntilReady(service, `http://127.0.0.1:${port}/readyz`, timeoutMs);
  } catch (error) {
    service.kill();
    throw error;
  }
}

/** Runs the one-shot `migrate` role from a staged runtime; rejects with its output unless it exits with 0. */
export async function migrateWithCompiledRole(
  runtimeFolder: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<readonly string[]> {
  const migrate = launchCompiledRole(runtimeFolder, 'migrate', env);
  const timer = setTimeout(() => migrate.kill(), timeoutMs);
  const exit = await migrate.exited.finally(() => clearTimeout(timer));
  if (exit.code !== 0) {
    throw new Error(`migrate exited with ${exit.signal ?? exit.code}:\n${migrate.lines.join('\n')}`);
  }
  return migrate.lines;
}
