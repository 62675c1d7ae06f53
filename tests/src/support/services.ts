import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ManagedProcess } from '@dgc/shared/supervision';

export const repositoryRoot = resolve(import.meta.dirname, '../../..');
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const simulatorToken =
  'dGVzdC1ib3QtdG9rZW4tZm9yLXNpbQ.e2e-tests.simulated-token-never-used-on-discord';

/** A Redis key prefix no other test file uses, so files run in parallel on one Redis. */
export function uniqueKeyPrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}`;
}

export type ServiceKind = 'gateway' | 'worker' | 'scheduler';

/** The log line each process writes once it is fully started. */
const readyMessage: Record<ServiceKind, string> = {
  gateway: 'gateway connected its shards',
  worker: 'worker consuming gateway events',
  scheduler: 'scheduler running',
};

export function logMessageIs(message: string) {
  return (line: string) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg === message;
    } catch {
      return false;
    }
  };
}

/** Starts a real process of the given kind (TypeScript sources through tsx), JSON logs captured. */
export function launchService(
  kind: ServiceKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
): ManagedProcess {
  return ManagedProcess.start({
    name,
    cwd: repositoryRoot,
    args: ['--conditions=source', '--import', 'tsx', `apps/${kind}/src/main.ts`],
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    onLine: process.env.TEST_SHOW_PROCESS_LOGS ? (line) => console.log(`[${name}] ${line}`) : undefined,
  });
}

/** Starts a process and waits until it reports that it is ready. */
export async function startService(
  kind: ServiceKind,
  env: NodeJS.ProcessEnv,
  name: string = kind,
  timeoutMs = 30_000,
): Promise<ManagedProcess> {
  const service = launchService(kind, env, name);
  try {
    await service.waitForLine(logMessageIs(readyMessage[kind]), timeoutMs);
  } catch (error) {
    service.kill();
    throw new Error(`${name} did not start:\n${service.lines.slice(-30).join('\n')}`, { cause: error });
  }
  return service;
}

/** Stops processes (SIGTERM, then SIGKILL after the timeout) and returns their exit codes by name. */
export async function stopServices(services: readonly ManagedProcess[], timeoutMs = 30_000) {
  const exits = await Promise.all(services.map((service) => service.stop('SIGTERM', timeoutMs)));
  return Object.fromEntries(services.map((service, index) => [service.name, exits[index]?.code ?? null]));
}
