import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const modulePath = fileURLToPath(new URL('./cpu-priority.ts', import.meta.url));

/** Runs `lowerCpuPriority(7)` in a process that leads its own session, as a supervisor starts workers. */
function lowerInChild() {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    const { lowerCpuPriority } = await import(${JSON.stringify(modulePath)});
    const outcome = lowerCpuPriority(7);
    const niceOf = (threadId) => {
      const stat = readFileSync('/proc/self/task/' + threadId + '/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    let autogroup;
    try { autogroup = readFileSync('/proc/self/autogroup', 'utf8').trim(); } catch {}
    console.log(JSON.stringify({ outcome, threads: readdirSync('/proc/self/task').map(niceOf), autogroup }));
  `;
  const child = spawnSync(
    'setsid',
    [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as {
    outcome: { processNice: number; autogroupNice?: number };
    threads: number[];
    autogroup?: string;
  };
}

describe.runIf(process.platform === 'linux' && existsSync('/usr/bin/setsid'))('lowerCpuPriority', () => {
  it("lowers every thread's priority, not only the main thread's", () => {
    const { outcome, threads } = lowerInChild();
    expect(outcome.processNice).toBe(7);
    // V8's and libuv's threads exist before any module runs.
    expect(threads.length).toBeGreaterThan(1);
    expect(threads.every((nice) => nice === 7)).toBe(true);
  });

  it("lowers the priority of the session's autogroup when the kernel schedules by autogroup", () => {
    const { outcome, autogroup } = lowerInChild();
    if (autogroup === undefined) {
      expect(outcome.autogroupNice).toBeUndefined();
      return;
    }
    expect(autogroup).toMatch(/ nice 7$/);
    expect(outcome.autogroupNice).toBe(7);
  });
});
