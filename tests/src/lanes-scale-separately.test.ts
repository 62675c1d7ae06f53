import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ProcessRecord } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { repositoryRoot, startService } from './support/services.js';

const run = promisify(execFile);

describe('lanes', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await createTestCluster('lanes', { interactionResponseWindowMs: 30_000 });
    cluster.processes.push(
      await startService('worker', { ...cluster.env, WORKER_LANES: 'events,bulk' }, 'events-worker'),
    );
    cluster.processes.push(await startService('gateway', cluster.env));
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('keeps interactions in their own lane, answered only by workers that consume it', {
    timeout: 60_000,
  }, async () => {
    const message = cluster.simulator.injectMessageCreate();
    const interaction = cluster.simulator.injectInteraction({ commandName: 'ping' });
    await expect
      .poll(() => cluster.probe.queue('interactions').getWaitingCount(), { timeout: 10_000 })
      .toBe(1);
    await expect.poll(() => cluster.probe.queue('events').getCompletedCount(), { timeout: 10_000 }).toBe(1);
    expect(cluster.simulator.restCalls.some((call) => call.route.includes(interaction.id))).toBe(false);
    expect(message.id).toEqual(expect.any(String));

    cluster.processes.push(
      await startService(
        'worker',
        { ...cluster.env, WORKER_LANES: 'interactions', WORKER_LANE_CONCURRENCY: 'interactions=5' },
        'interactions-worker',
      ),
    );
    const callback = await cluster.simulator.waitForInteractionResponse(interaction.id, 15_000);
    expect(callback.status).toBe(204);
  });

  it('lists every process and its background tasks for operators', { timeout: 30_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', 'processes', '--json'],
      { cwd: repositoryRoot, env: { ...process.env, ...cluster.env } },
    );
    const processes = JSON.parse(stdout) as ProcessRecord[];
    expect(processes.map((record) => record.role).sort()).toEqual(['gateway', 'worker', 'worker']);
    const tasksOf = (role: string) =>
      processes.filter((record) => record.role === role).flatMap((record) => record.tasks);
    expect(tasksOf('gateway')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'shard:1:0', state: 'running' }),
        expect.objectContaining({ name: 'shard:1:1', state: 'running' }),
        expect.objectContaining({ name: 'lane-depth-poll', kind: 'periodic' }),
        expect.objectContaining({ name: 'publish:gateway-events-interactions', kind: 'service' }),
      ]),
    );
    const { stdout: shardsJson } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', 'shards', '--json'],
      { cwd: repositoryRoot, env: { ...process.env, ...cluster.env } },
    );
    const gatewayRecord = processes.find((record) => record.role === 'gateway');
    const shards = JSON.parse(shardsJson) as {
      shard: number;
      owner: string;
      state: string;
      sequence: number;
    }[];
    expect(shards.map(({ shard, state }) => [shard, state])).toEqual([
      [0, 'running'],
      [1, 'running'],
    ]);
    for (const shard of shards) {
      expect(shard.owner.startsWith(`${gatewayRecord?.host}:${gatewayRecord?.pid}:`)).toBe(true);
      expect(shard.sequence).toBeGreaterThan(0);
    }
    expect(
      tasksOf('worker')
        .map((task) => task.name)
        .sort(),
    ).toEqual([
      'consume:bulk',
      'consume:events',
      'consume:interactions',
      'process-heartbeat',
      'process-heartbeat',
      // Each worker writes its lane topology and subscribed events again should Redis lose them.
      're-assert owned Redis state',
      're-assert owned Redis state',
      // Each worker re-reads whether its dedupe keys' server has replicas to confirm claims on.
      'read the dedupe node replicas',
      'read the dedupe node replicas',
    ]);
  });
});
