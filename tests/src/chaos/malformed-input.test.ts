import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { type ParkedDispatch, ParkedDispatches } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, expectEveryMessageHandledOnce, type TestCluster } from '../support/cluster.js';
import { freePort, repositoryRoot, startService } from '../support/services.js';

const run = promisify(execFile);

/** A series' value in a Prometheus exposition: the first of `name` whose labels include every one given (0 if none). */
function metricValue(exposition: string, name: string, ...labels: string[]): number {
  const line = exposition
    .split('\n')
    .find(
      (entry) =>
        entry.startsWith(`${name}{`) &&
        labels.every((label) => entry.slice(0, entry.indexOf('}')).includes(label)),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A valid-looking MESSAGE_CREATE of the simulated world, so only the field under test is wrong. */
function messageJson(overrides: Record<string, unknown>): string {
  return JSON.stringify({
    id: '1400000000000000001',
    channel_id: '1400000000000000002',
    author: { id: '1400000000000000003', username: 'mallory' },
    content: 'hi',
    timestamp: new Date().toISOString(),
    ...overrides,
  });
}

describe('malformed input from the gateway to the workers', () => {
  let cluster: TestCluster;
  let gateway: ManagedProcess;
  let worker: ManagedProcess;
  let gatewayMetricsUrl: string;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    cluster = await createTestCluster('malformed-input', { guildCount: 12 });
    const env = { ...cluster.env, WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts' };
    const workerPort = await freePort();
    worker = await startService('worker', { ...env, METRICS_PORT: String(workerPort) });
    cluster.processes.push(worker);
    workerMetricsUrl = `http://127.0.0.1:${workerPort}/metrics`;
    const gatewayPort = await freePort();
    gateway = await startService('gateway', { ...env, METRICS_PORT: String(gatewayPort) });
    cluster.processes.push(gateway);
    gatewayMetricsUrl = `http://127.0.0.1:${gatewayPort}/metrics`;
  }, 90_000);

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('parks every bad frame and event with its cause, counts it, and handles the good events around it', {
    timeout: 90_000,
  }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    const traffic = simulator.startTraffic({ eventsPerSecond: 100, mix: { MESSAGE_CREATE: 1 } });
    try {
      await expect
        .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 30_000 })
        .toBeGreaterThan(100);
      const { faults } = simulator;
      // Numbered dispatches (the session replays them on a resume like any other).
      faults.sendMalformedDispatch(0, 'MESSAGE_CREATE', '"not an object"');
      faults.sendMalformedDispatch(0, 'SOMETHING_DISCORD_ADDS_LATER', '{"id":"1"}');
      faults.sendMalformedDispatch(0, 'MESSAGE_CREATE', messageJson({ content: 'x'.repeat(1_100_000) }));
      faults.sendMalformedDispatch(0, 'MESSAGE_CREATE', messageJson({ author: undefined }));
      faults.sendMalformedDispatch(0, 'MESSAGE_CREATE', messageJson({ id: 42, author: 'mallory' }));
      // Raw frames outside the session's numbering.
      faults.sendRawFrame(0, '{"op":0,"t":"MESSAGE_CREATE","d":{"id":');
      faults.sendRawFrame(
        0,
        Buffer.concat([
          Buffer.from('{"op":0,"s":null,"t":"MESSAGE_CREATE","d":{"content":"'),
          Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
          Buffer.from('"}}'),
        ]),
      );
      faults.sendRawFrame(0, '{"op":0,"s":"seven","t":42,"d":[]}');
      // Good traffic keeps flowing for a while after the bad.
      const handledBefore = await probe.redis.scard(`${keyPrefix}:flood:messages`);
      await expect
        .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 20_000 })
        .toBeGreaterThan(handledBefore + 200);
    } finally {
      traffic.stop();
    }

    // The gateway parked six, each with its cause, and counted them by reason.
    const parked = new ParkedDispatches(probe.redis, keyPrefix);
    await expect.poll(() => parked.count(), { timeout: 10_000 }).toBe(6);
    const byReason = (records: ParkedDispatch[]) =>
      Object.fromEntries(
        ['bad-envelope', 'unknown-event', 'oversized', 'not-json', 'invalid-utf8'].map((reason) => [
          reason,
          records.filter((record) => record.reason === reason).length,
        ]),
      );
    const records = await parked.recent(20);
    expect(byReason(records)).toEqual({
      'bad-envelope': 2,
      'unknown-event': 1,
      oversized: 1,
      'not-json': 1,
      'invalid-utf8': 1,
    });
    expect(records.find((record) => record.reason === 'oversized')?.cause).toMatch(
      /bytes exceed GATEWAY_MAX_EVENT_BYTES/,
    );
    expect(records.find((record) => record.reason === 'unknown-event')?.event).toBe(
      'SOMETHING_DISCORD_ADDS_LATER',
    );
    const gatewayMetrics = await (await fetch(gatewayMetricsUrl)).text();
    for (const [reason, count] of Object.entries(byReason(records))) {
      expect(
        metricValue(gatewayMetrics, 'dgc_gateway_malformed_dispatches_total', `reason="${reason}"`),
        reason,
      ).toBe(count);
    }

    // The worker refused the two MESSAGE_CREATEs missing or mistyping what handlers rely on: parked in the
    // failed set with the cause, on their first attempt, never handled.
    const invalidPayloads = async () =>
      (await probe.failedJobs()).filter((job) => /invalid event payload/.test(job.reason ?? ''));
    await expect.poll(async () => (await invalidPayloads()).length, { timeout: 20_000 }).toBe(2);
    const causes = (await invalidPayloads()).map((job) => job.reason).join('\n');
    expect(causes).toMatch(/author must be an object/);
    expect(causes).toMatch(/id must be a snowflake string/);
    for (const job of await invalidPayloads()) expect(job.attempts).toBe(1);
    const workerMetrics = await (await fetch(workerMetricsUrl)).text();
    // Counted as failed events wherever they were refused (alone in a job, or in a batch).
    expect(metricValue(workerMetrics, 'dgc_events_total', 'event="MESSAGE_CREATE"', 'outcome="failed"')).toBe(
      2,
    );

    // The good events around them: every one handled, once.
    await expectEveryMessageHandledOnce(cluster);
    // Every process stayed up, with its first pid (no crash, no restart loop).
    expect(gateway.exitStatus).toBeUndefined();
    expect(worker.exitStatus).toBeUndefined();

    // Operators see the parked dispatches in the CLI.
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', 'parked', '--json'],
      { cwd: repositoryRoot, env: { ...process.env, ...cluster.env } },
    );
    const listed = JSON.parse(stdout) as { total: number; records: ParkedDispatch[] };
    expect(listed.total).toBe(6);
    expect(listed.records.map((record) => record.reason).sort()).toEqual([
      'bad-envelope',
      'bad-envelope',
      'invalid-utf8',
      'not-json',
      'oversized',
      'unknown-event',
    ]);
  });
});
