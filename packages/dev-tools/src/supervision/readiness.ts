import { pollUntil } from '../testing/poll-until.js';
import { logMessageIs } from './log-message.js';
import type { ManagedProcess } from './managed-process.js';

/** Which answers of a polled endpoint mean the process is ready. */
export type ReadyWhen = 'ok' | 'any-answer';

/**
 * Polls `url` until the launched process answers 200 (`'ok'`, for `/readyz`) or answers at all
 * (`'any-answer'`, for a server with no probe endpoint: listening is all it promises). Rejects with the
 * last answer and the process's last lines if it exits first or is not ready within `timeoutMs`; the
 * process is left running (a caller that gives up on it stops it).
 */
export async function waitUntilReady(
  service: ManagedProcess,
  url: string,
  timeoutMs: number,
  readyWhen: ReadyWhen = 'ok',
): Promise<ManagedProcess> {
  let lastAnswer = 'no answer';
  try {
    await pollUntil(
      `${service.name} ready at ${url}`,
      timeoutMs,
      async () => {
        const exit = service.exitStatus;
        if (exit) throw new Error(`exited (code ${exit.code}, signal ${exit.signal}) before it was ready`);
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
          lastAnswer = `${response.status} ${await response.text()}`;
          return readyWhen === 'any-answer' || response.status === 200 ? true : undefined;
        } catch (error) {
          lastAnswer = (error as Error).message;
          return undefined; // not listening yet
        }
      },
      50,
    );
  } catch (error) {
    throw new Error(
      `${service.name} did not become ready (${url}: ${lastAnswer.trim()}):\n${service.lines.slice(-30).join('\n')}`,
      { cause: error },
    );
  }
  return service;
}

/**
 * Waits until a launched script writes the JSON log line `message`: for the benchmarks' baseline processes,
 * which serve no probe endpoint. Apps are waited for through `/readyz` (`startApp`).
 */
export async function waitUntilLogged(
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
