import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, expectEveryMessageHandledOnce, type TestCluster } from '../support/cluster.js';
import { repositoryRoot, startService } from '../support/services.js';

const execute = promisify(execFile);

describe('operator CLI against a live cluster', () => {
  let cluster: TestCluster;
  let worker: ManagedProcess;
  let gateway: ManagedProcess;

  /** `npm run cluster -- <args>` as an operator runs it, against this test's cluster. */
  async function cli(...args: string[]): Promise<{ stdout: string; code: number }> {
    try {
      const { stdout } = await execute(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', ...args],
        { cwd: repositoryRoot, env: { ...process.env, ...cluster.env }, timeout: 60_000 },
      );
      return { stdout, code: 0 };
    } catch (error) {
      const failed = error as { stdout?: string; code?: number };
      return { stdout: failed.stdout ?? '', code: failed.code ?? -1 };
    }
  }
  const json = async <T>(...args: string[]): Promise<T> =>
    JSON.parse((await cli(...args, '--json')).stdout) as T;
  type Lane = { lane: string; failed: number; waiting: number };
  const failedIn = async (lane: string) =>
    (await json<Lane[]>('lanes')).find((entry) => entry.lane === lane)?.failed ?? -1;

  beforeAll(async () => {
    cluster = await createTestCluster('operator-cli', { guildCount: 12 });
    const env = { ...cluster.env, WORKER_BOT_MODULE: 'tests/src/fixtures/switchable-failure-bot.ts' };
    worker = await startService('worker', env);
    cluster.processes.push(worker);
    gateway = await startService('gateway', env);
    cluster.processes.push(gateway);
  }, 90_000);

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('status, lanes, failed, failed retry and drain do what they say', { timeout: 90_000 }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    // status: both processes, and every shard running under the gateway's lease.
    const status = await json<{
      shards: { shard: number; owner: string | null; state: string }[];
      processes: { role: string; pid: number }[];
    }>('status');
    expect(status.processes.map((entry) => entry.role).sort()).toEqual(['gateway', 'worker']);
    expect(status.processes.find((entry) => entry.role === 'worker')?.pid).toBe(worker.pid);
    expect(status.shards.map(({ shard, state }) => ({ shard, state }))).toEqual([
      { shard: 0, state: 'running' },
      { shard: 1, state: 'running' },
    ]);
    for (const shard of status.shards) expect(shard.owner).toContain(`:${gateway.pid}:`);

    // Handler failures land in the failed set, which `lanes` counts and `failed` lists with the cause.
    await probe.redis.set(`${keyPrefix}:switchable:fail`, '1');
    simulator.injectMessageCreates(20);
    // Polled straight from Redis (each CLI run starts a process); the CLI's figures are checked once there.
    await expect.poll(() => probe.failed(), { timeout: 30_000, interval: 250 }).toBe(20);
    expect(await failedIn('events')).toBe(20);
    const failed = await json<{ lane: string; id: string; reason: string }[]>('failed', 'events');
    expect(failed).toHaveLength(20);
    for (const row of failed) expect(row.reason).toMatch(/told to fail/);

    // failed retry: one by id, then the rest; each runs again and is handled once.
    await probe.redis.del(`${keyPrefix}:switchable:fail`);
    const [first] = failed;
    const one = await cli('failed', 'retry', 'events', first?.id ?? '');
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout).toMatch(/1 job\(s\) of lane events back to waiting/);
    await expect.poll(() => probe.failed(), { timeout: 20_000 }).toBe(19);
    const rest = await cli('failed', 'retry', 'events', '--all');
    expect(rest.stdout).toMatch(/19 job\(s\) of lane events back to waiting/);
    expect(await expectEveryMessageHandledOnce(cluster)).toBe(20);
    expect(await failedIn('events')).toBe(0);
    expect((await cli('failed', 'retry', 'events', '--all')).code).toBe(1);

    // drain: SIGTERM to this host's workers, waits for them to exit, and they exit cleanly.
    const drain = await cli('drain', 'worker', '--timeout=30');
    expect(drain.code).toBe(0);
    expect(drain.stdout).toMatch(/every worker process on this host drained and exited/);
    expect((await worker.exited).code).toBe(0);
    expect(gateway.exitStatus).toBeUndefined();
    const after = await json<{ processes: { role: string }[] }>('status');
    expect(after.processes.map((entry) => entry.role)).toEqual(['gateway']);
  });
});
