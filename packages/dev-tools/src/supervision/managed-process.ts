import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Shown in prefixes and errors. */
  name: string;
  /** Node arguments after the node binary, e.g. `['--import', 'tsx', 'apps/worker/src/main.ts']`. */
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Receives every output line (stdout and stderr) as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Lines kept for `waitForLine` and post-mortems. */
  keepLines?: number;
  /**
   * A command that execs node in another context, e.g. `['ip', 'netns', 'exec', 'ns1']` to run the process
   * in a network namespace. It must exec (not fork) so the pid stays the process's own.
   */
  wrapper?: readonly string[];
}

export class ProcessTimeoutError extends Error {
  override readonly name = 'ProcessTimeoutError';
}

/**
 * A Node child process in its own process group, so a terminal's Ctrl-C reaches only the supervisor,
 * which then stops children in the order it chooses. Lines of output can be awaited; stopping escalates
 * from the given signal to SIGKILL after a deadline, so no child outlives its supervisor.
 */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  readonly #lines: string[] = [];
  readonly #keepLines: number;
  readonly #lineWaiters = new Set<(line: string) => void>();
  #exit: ProcessExit | undefined;

  private constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.#keepLines = options.keepLines ?? 2_000;
    const [command, ...wrapperArgs] = options.wrapper ?? [];
    const args = command ? [...wrapperArgs, process.execPath, ...options.args] : [...options.args];
    this.child = spawn(command ?? process.execPath, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.child[stream];
      if (!source) continue;
      createInterface({ input: source }).on('line', (line) => {
        this.#lines.push(line);
        if (this.#lines.length > this.#keepLines) this.#lines.shift();
        options.onLine?.(line, stream);
        for (const waiter of this.#lineWaiters) waiter(line);
      });
    }
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exitStatus(): ProcessExit | undefined {
    return this.#exit;
  }

  /** Recent output lines, oldest first. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Resolves with the first line (already seen or future) that matches; rejects on exit or timeout. */
  waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.#lines.find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        this.#lineWaiters.delete(onLine);
        outcome();
      };
      const onLine = (line: string) => {
        if (matches(line)) finish(() => resolve(line));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new ProcessTimeoutError(`${this.name}: expected line not seen within ${timeoutMs} ms`)),
          ),
        timeoutMs,
      );
      this.#lineWaiters.add(onLine);
      void this.exited.then((exit) =>
        finish(() =>
          reject(
            new Error(
              `${this.name} exited (code ${exit.code}, signal ${exit.signal}) before the expected line`,
            ),
          ),
        ),
      );
    });
  }

  /** Sends `signal`; if the process has not exited after `timeoutMs`, kills its whole group. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<ProcessExit> {
    if (this.#exit) return this.#exit;
    this.#signal(signal);
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal to the process group without waiting (SIGSTOP/SIGCONT to pause and resume it). */
  signal(signal: NodeJS.Signals): void {
    this.#signal(signal);
  }

  /** SIGKILL to the process group. */
  kill(): void {
    this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#exit || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      this.child.kill(signal);
    }
  }
}
