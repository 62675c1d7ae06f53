import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import {
  type AppKind,
  launchApp,
  type ManagedProcess,
  startApp,
  stopProcesses,
} from '@dgc/shared/supervision';

export { logMessageIs, repositoryRoot } from '@dgc/shared/supervision';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const simulatorToken =
  'dGVzdC1ib3QtdG9rZW4tZm9yLXNpbQ.e2e-tests.simulated-token-never-used-on-discord';

/** A Redis key prefix no other test file uses, so files run in parallel on one Redis. */
export function uniqueKeyPrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}`;
}

export type ServiceKind = AppKind;

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

/** Starts a process and waits until it reports that it is ready. */
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

/** A loopback TCP port free at the time of the call, for a process under test to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
