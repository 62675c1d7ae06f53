import type { Logger } from 'pino';

export type TaskState = 'idle' | 'running' | 'waiting' | 'paused' | 'failed' | 'stopped';
export type TaskKind = 'periodic' | 'one-shot' | 'service';

/** One background task as an operator sees it. */
export interface TaskSnapshot {
  name: string;
  kind: TaskKind;
  state: TaskState;
  /** Milliseconds in the current state. */
  stateAgeMs: number;
  /** Milliseconds since the task was registered. */
  ageMs: number;
  runs: number;
  failures: number;
  lastDurationMs?: number;
  lastError?: string;
  detail?: string;
}

interface TaskRecord {
  name: string;
  kind: TaskKind;
  state: TaskState;
  registeredAt: number;
  stateSince: number;
  runs: number;
  failures: number;
  lastDurationMs?: number;
  lastError?: string;
  detail?: string;
  warnAfterMs: number;
  /** The running state has been reported as long; reset when the state changes. */
  warned: boolean;
}

export interface TaskMonitorOptions {
  logger: Logger;
  /** A task running longer than this is logged as long-running (per task overridable). */
  warnAfterMs?: number;
  /** How often long-running tasks are looked for. */
  checkEveryMs?: number;
}

export class DuplicateTaskError extends Error {
  override readonly name = 'DuplicateTaskError';
}

/**
 * Every background task of a process by name, with its state and age, so nothing runs unseen: periodic
 * jobs (never overlapping: a run still going when the next is due is skipped and counted), one-shot
 * background work, and long-lived services whose state is probed when a snapshot is taken. Runs longer than `warnAfterMs`
 * are logged once per run; `stop()` cancels periodic tasks and aborts the signals of running ones.
 */
export class TaskMonitor {
  readonly #logger: Logger;
  readonly #warnAfterMs: number;
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #stopping = new AbortController();
  readonly #running = new Set<Promise<unknown>>();
  readonly #probes = new Map<string, () => { state: TaskState; detail?: string }>();
  readonly #checker: NodeJS.Timeout;
  #oneShotSerial = 0;

  constructor(options: TaskMonitorOptions) {
    this.#logger = options.logger;
    this.#warnAfterMs = options.warnAfterMs ?? 30_000;
    this.#checker = setInterval(() => this.#reportLongRunning(), options.checkEveryMs ?? 1_000);
    this.#checker.unref();
  }

  /** Runs `task` every `intervalMs` (first run after one interval unless `runNow`). */
  every(
    name: string,
    intervalMs: number,
    task: (signal: AbortSignal) => Promise<void> | void,
    options: { runNow?: boolean; warnAfterMs?: number } = {},
  ): void {
    const record = this.#add(name, 'periodic', options.warnAfterMs);
    const tick = () => {
      if (this.#stopping.signal.aborted) return;
      if (record.state === 'running') {
        this.#logger.warn(
          { task: name, runningForMs: Date.now() - record.stateSince },
          'periodic task still running; run skipped',
        );
        return;
      }
      // A failure is logged by #execute and the task runs again at its next interval.
      this.#execute(record, task).catch(() => {});
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    this.#timers.add(timer);
    if (options.runNow) tick();
  }

  /** Runs `task` once in the background; it is listed while it runs. Resolves with its result. */
  run<Result>(
    name: string,
    task: (signal: AbortSignal) => Promise<Result>,
    options: { warnAfterMs?: number } = {},
  ): Promise<Result> {
    this.#oneShotSerial += 1;
    const record = this.#add(`${name}#${this.#oneShotSerial}`, 'one-shot', options.warnAfterMs);
    return this.#execute(record, task).finally(() => this.#tasks.delete(record.name));
  }

  /**
   * Lists a long-lived task whose state lives elsewhere (a queue consumer, a shard, a publisher): `probe`
   * is read whenever a snapshot is taken. Returns a function that removes it.
   */
  watch(name: string, probe: () => { state: TaskState; detail?: string }): () => void {
    this.#add(name, 'service', Number.POSITIVE_INFINITY);
    this.#probes.set(name, probe);
    return () => {
      this.#tasks.delete(name);
      this.#probes.delete(name);
    };
  }

  snapshot(): TaskSnapshot[] {
    for (const [name, probe] of this.#probes) {
      const record = this.#tasks.get(name);
      if (!record) continue;
      const { state, detail } = probe();
      this.#setState(record, state);
      record.detail = detail;
    }
    const now = Date.now();
    return [...this.#tasks.values()].map((record) => ({
      name: record.name,
      kind: record.kind,
      state: record.state,
      stateAgeMs: now - record.stateSince,
      ageMs: now - record.registeredAt,
      runs: record.runs,
      failures: record.failures,
      ...(record.lastDurationMs !== undefined ? { lastDurationMs: record.lastDurationMs } : {}),
      ...(record.lastError !== undefined ? { lastError: record.lastError } : {}),
      ...(record.detail !== undefined ? { detail: record.detail } : {}),
    }));
  }

  /** Cancels periodic tasks, aborts running ones and waits for them to settle (bounded by `deadline`). */
  async stop(deadline?: AbortSignal): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
    clearInterval(this.#checker);
    this.#stopping.abort();
    const settled = Promise.allSettled([...this.#running]);
    if (!deadline) {
      await settled;
      return;
    }
    await Promise.race([
      settled,
      new Promise<void>((resolve) => {
        if (deadline.aborted) resolve();
        deadline.addEventListener('abort', () => resolve(), { once: true });
      }),
    ]);
  }

  #add(name: string, kind: TaskKind, warnAfterMs = this.#warnAfterMs): TaskRecord {
    if (this.#tasks.has(name))
      throw new DuplicateTaskError(`a background task named "${name}" is already registered`);
    const now = Date.now();
    const record: TaskRecord = {
      name,
      kind,
      state: 'idle',
      registeredAt: now,
      stateSince: now,
      runs: 0,
      failures: 0,
      warnAfterMs,
      warned: false,
    };
    this.#tasks.set(name, record);
    return record;
  }

  #setState(record: TaskRecord, state: TaskState): void {
    if (record.state === state) return;
    record.state = state;
    record.stateSince = Date.now();
    record.warned = false;
  }

  async #execute<Result>(
    record: TaskRecord,
    task: (signal: AbortSignal) => Promise<Result> | Result,
  ): Promise<Result> {
    this.#setState(record, 'running');
    record.runs += 1;
    const started = performance.now();
    const running = (async () => task(this.#stopping.signal))();
    this.#running.add(running);
    try {
      const result = await running;
      this.#setState(record, 'idle');
      return result;
    } catch (error) {
      record.failures += 1;
      record.lastError = error instanceof Error ? error.message : String(error);
      this.#setState(record, 'failed');
      if (record.kind === 'periodic') {
        this.#logger.error(
          { err: error, task: record.name },
          'background task failed; it runs again at its next interval',
        );
      }
      throw error;
    } finally {
      record.lastDurationMs = Math.round(performance.now() - started);
      this.#running.delete(running);
    }
  }

  #reportLongRunning(): void {
    const now = Date.now();
    for (const record of this.#tasks.values()) {
      if (record.state !== 'running' || record.warned || now - record.stateSince < record.warnAfterMs)
        continue;
      record.warned = true;
      this.#logger.warn(
        { task: record.name, kind: record.kind, runningForMs: now - record.stateSince },
        'background task running longer than expected',
      );
    }
  }
}
