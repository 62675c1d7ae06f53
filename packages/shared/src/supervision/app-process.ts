import { resolve } from 'node:path';
import { z } from 'zod';
import { developmentEnvShape } from '../config/development-env.js';
import { loadConfig } from '../config/load-config.js';
import { ManagedProcess } from './managed-process.js';

const launchEnvSchema = z.object({
  DGC_CPU_PROFILE_DIR: developmentEnvShape.DGC_CPU_PROFILE_DIR,
  DGC_NODE_FLAGS: developmentEnvShape.DGC_NODE_FLAGS,
});
/** Read once, when the harness launches its first process. */
let launchEnv: z.output<typeof launchEnvSchema> | undefined;

/** The monorepo root, where every app's `src/main.ts` is resolved from. */
export const repositoryRoot = resolve(import.meta.dirname, '../../../..');

export type AppKind = 'gateway' | 'worker' | 'scheduler';

/** The log line each app writes once it is fully started. */
const readyMessage: Record<AppKind, string> = {
  gateway: 'gateway connected its shards',
  worker: 'worker consuming gateway events',
  scheduler: 'scheduler running',
};

/** Matches a JSON log line by its `msg`. */
export function logMessageIs(message: string) {
  return (line: string) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg === message;
    } catch {
      return false;
    }
  };
}

/**
 * Starts a TypeScript entry point of this repository (through tsx, sources resolved by the `source`
 * condition) as a process group, JSON logs captured.
 */
export function launchScript(
  script: string,
  env: NodeJS.ProcessEnv,
  name: string,
  onLine?: (line: string) => void,
): ManagedProcess {
  launchEnv ??= loadConfig('development tools', launchEnvSchema);
  const developmentEnv = launchEnv;
  return ManagedProcess.start({
    name,
    cwd: repositoryRoot,
    args: [
      // For profiling a benchmark or a test's processes: each writes a .cpuprofile there when it exits.
      ...(developmentEnv.DGC_CPU_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${developmentEnv.DGC_CPU_PROFILE_DIR}`]
        : []),
      // For flags NODE_OPTIONS refuses (--trace-gc-nvp, --heapsnapshot-signal…), space-separated.
      ...developmentEnv.DGC_NODE_FLAGS,
      '--conditions=source',
      '--import',
      'tsx',
      script,
    ],
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    onLine,
  });
}

/** Starts an app (gateway, worker, scheduler) as a real process. */
export function launchApp(
  kind: AppKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
  onLine?: (line: string) => void,
): ManagedProcess {
  return launchScript(`apps/${kind}/src/main.ts`, env, name, onLine);
}

/** Waits until a launched process writes `message`; kills it and reports its last lines if it does not. */
export async function waitUntilStarted(
  service: ManagedProcess,
  message: string,
  timeoutMs: number,
): Promise<ManagedProcess> {
  try {
    await service.waitForLine(logMessageIs(message), timeoutMs);
  } catch (error) {
    service.kill();
    throw new Error(`${service.name} did not start:\n${service.lines.slice(-30).join('\n')}`, {
      cause: error,
    });
  }
  return service;
}

/** Starts an app and waits until it reports that it is ready. */
export function startApp(
  kind: AppKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
  timeoutMs = 30_000,
  onLine?: (line: string) => void,
): Promise<ManagedProcess> {
  return waitUntilStarted(launchApp(kind, env, name, onLine), readyMessage[kind], timeoutMs);
}

/** Stops processes (SIGTERM, then SIGKILL after the timeout) and returns their exit codes by name. */
export async function stopProcesses(services: readonly ManagedProcess[], timeoutMs = 30_000) {
  const exits = await Promise.all(services.map((service) => service.stop('SIGTERM', timeoutMs)));
  return Object.fromEntries(services.map((service, index) => [service.name, exits[index]?.code ?? null]));
}
