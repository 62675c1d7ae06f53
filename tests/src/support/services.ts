import { randomUUID } from 'node:crypto';
import {
  type AppKind,
  launchApp,
  type ManagedProcess,
  startApp,
  stopProcesses,
} from '@dgc/dev-tools/supervision';

export { logMessageIs, repositoryRoot } from '@dgc/dev-tools/supervision';
export { freePort } from '@dgc/dev-tools/testing';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const simulatorToken =
  'dGVzdC1ib3QtdG9rZW4tZm9yLXNpbQ.e2e-tests.simulated-token-never-used-on-discord';

/** A Redis key prefix no other test file uses, so files run in parallel on one Redis. */
export function uniqueKeyPrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}`;
}

/** The processes of the event path; the dashboard's own test starts it with `startApp`. */
export type ServiceKind = Exclude<AppKind, 'dashboard'>;

const showLogs = (name: string) =>
  process.env.TEST_SHOW_PROCESS_LOGS ? (line: string) => console.log(`[${name}] ${line}`) : undefined;

/** Starts a real process of the given kind (TypeScript sources through tsx), JSON logs captured. */
export function launchService(
  kind: ServiceKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
): ManagedProcess {
  return launchApp(kind, env, name, showLogs(name));
}

/** Starts a process and waits until its `/readyz` answers 200. */
export function startService(
  kind: ServiceKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
  timeoutMs = 30_000,
): Promise<ManagedProcess> {
  return startApp(kind, env, name, timeoutMs, showLogs(name));
}

/** Stops processes (SIGTERM, then SIGKILL after the timeout) and returns their exit codes by name. */
export const stopServices = stopProcesses;
