import { freePort } from '../testing/free-port.js';
import { launchScript } from './launch-script.js';
import type { ManagedProcess } from './managed-process.js';
import { waitUntilReady } from './readiness.js';

export type AppKind = 'gateway' | 'worker' | 'scheduler' | 'dashboard';

/** Starts an app as a real process without waiting for it (for starts that must begin together). */
export function launchApp(
  kind: AppKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
  onLine?: (line: string) => void,
  /** Runs it under a command that execs node (e.g. `ip netns exec <ns>`). */
  wrapper?: readonly string[],
): ManagedProcess {
  return launchScript(`apps/${kind}/src/main.ts`, env, name, onLine, wrapper);
}

/**
 * Starts an app and waits until its `/readyz` answers 200: every app serves it on METRICS_PORT once it
 * has started, and answers 200 while its readiness checks pass. The app gets a free METRICS_PORT unless
 * `env` names one; it is served on loopback (METRICS_HOST's default). An app not ready in time is killed.
 */
export async function startApp(
  kind: AppKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
  timeoutMs = 30_000,
  onLine?: (line: string) => void,
): Promise<ManagedProcess> {
  const port = Number(env.METRICS_PORT) > 0 ? Number(env.METRICS_PORT) : await freePort();
  const service = launchApp(kind, { ...env, METRICS_PORT: String(port) }, name, onLine);
  try {
    return await waitUntilReady(service, `http://127.0.0.1:${port}/readyz`, timeoutMs);
  } catch (error) {
    service.kill();
    throw error;
  }
}

/** Stops processes (SIGTERM, then SIGKILL after the timeout) and returns their exit codes by name. */
export async function stopProcesses(services: readonly ManagedProcess[], timeoutMs = 30_000) {
  const exits = await Promise.all(services.map((service) => service.stop('SIGTERM', timeoutMs)));
  return Object.fromEntries(services.map((service, index) => [service.name, exits[index]?.code ?? null]));
}
