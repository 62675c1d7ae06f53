import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLiveProcesses } from '@dgc/shared/cluster-view';
import { colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

/**
 * `drain <role> [--timeout=<s>]`: SIGTERM to every live process of a role on this host (each drains its
 * work and exits), then waits, with progress, until they have left the registry. Processes on other hosts
 * are listed: stop them where they run.
 */
export async function drainRole({ redis, keyPrefix, args }: CommandContext): Promise<void> {
  const role = args[0];
  if (!role) throw new Error('usage: drain <gateway|worker|scheduler|dashboard> [--timeout=<seconds>]');
  const timeoutMs = Number(/^--timeout=(\d+)$/.exec(args[1] ?? '')?.[1] ?? 60) * 1_000;
  const targets = (await readLiveProcesses(redis, keyPrefix)).filter((record) => record.role === role);
  const local = targets.filter((record) => record.host === hostname());
  for (const record of targets.filter((target) => target.host !== hostname())) {
    console.log(colour('yellow', `${record.id} runs on ${record.host}: stop it there`));
  }
  if (local.length === 0) {
    console.log(`no ${role} process on this host`);
    return;
  }
  for (const record of local) {
    try {
      process.kill(record.pid, 'SIGTERM');
      console.log(`SIGTERM → ${record.id}`);
    } catch (error) {
      console.log(colour('red', `cannot signal ${record.id}: ${(error as Error).message}`));
    }
  }
  const deadline = Date.now() + timeoutMs;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (;;) {
    const remaining = local.filter((record) => alive(record.pid));
    process.stdout.write(`\rdraining ${role}: ${local.length - remaining.length}/${local.length} stopped`);
    if (remaining.length === 0) break;
    if (Date.now() > deadline) {
      process.stdout.write('\n');
      console.log(
        colour('red', `still running after ${timeoutMs / 1_000} s: ${remaining.map((r) => r.id).join(', ')}`),
      );
      process.exitCode = 1;
      return;
    }
    await sleep(250);
  }
  process.stdout.write('\n');
  console.log(colour('green', `every ${role} process on this host drained and exited`));
}
