import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { freePort, pollUntil } from '@dgc/dev-tools/testing';
import { createRedisConnection, singleRedis } from '@dgc/shared';
import { EventDedupe, RedisClaimReplication } from '@dgc/worker';

const batchesPerRun = 1_000;
const inFlight = 8;

async function startRedis(args: string[]): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  return { port, process: child };
}

async function timeBatches(
  redis: ReturnType<typeof createRedisConnection>,
  waitConnections: ReturnType<typeof createRedisConnection>[],
  keyPrefix: string,
  eventsPerBatch: number,
  waitReplicas: number,
): Promise<DedupeWaitRun> {
  // As a worker runs it: the checks (each a WAIT) on connections of their own, one check for every job
  // that claimed while they were busy.
  const replication = new RedisClaimReplication({
    connections: waitConnections,
    keyPrefix,
    timeoutMs: 1_000,
    plan: () => ({ check: true, waitFor: waitReplicas, wanted: waitReplicas }),
  });
  const dedupe = new EventDedupe(redis, {
    keyPrefix,
    processingTtlMs: 20_000,
    doneTtlMs: 60_000,
    ...(waitReplicas > 0 ? { replication } : {}),
  });
  const latencies: number[] = [];
  let next = 0;
  const startedAt = performance.now();
  const lane = async () => {
    while (next < batchesPerRun) {
      next += 1;
      const keys = Array.from({ length: eventsPerBatch }, () => `MESSAGE_CREATE:${randomUUID()}`);
      const began = performance.now();
      const claim = await dedupe.claimMany(keys);
      await claim.finish([], true);
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - startedAt) / 1_000;
  latencies.sort((a, b) => a - b);
  return {
    waitReplicas,
    eventsPerBatch,
    batchesPerSecond: batchesPerRun / seconds,
    eventsPerSecond: (batchesPerRun * eventsPerBatch) / seconds,
    p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

export interface DedupeWaitRun {
  waitReplicas: number;
  eventsPerBatch: number;
  batchesPerSecond: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * What WORKER_DEDUPE_WAIT_REPLICAS costs a worker: a batch's claim and its done mark (the dedupe's two
 * round trips per job), 8 jobs in flight, against a primary with one replica on this host, without the
 * replication check (the baseline) and with it (`WAIT 1` on a connection of its own, shared by the jobs
 * waiting together), in the same run on the same servers.
 */
export async function runDedupeWait(): Promise<DedupeWaitRun[]> {
  const primary = await startRedis([]);
  const replica = await startRedis(['--replicaof', '127.0.0.1', String(primary.port)]);
  const redis = createRedisConnection({
    target: singleRedis(`redis://127.0.0.1:${primary.port}`),
    connectionName: 'bench:dedupe-wait',
  });
  // As many as a worker opens (apps/worker/src/dedupe/dedupe-replication.ts).
  const waitConnections = Array.from({ length: 4 }, () =>
    createRedisConnection({
      target: singleRedis(`redis://127.0.0.1:${primary.port}`),
      connectionName: 'bench:dedupe-wait-checks',
    }),
  );
  // Refused until the new server listens; the poll below waits for it.
  for (const connection of [redis, ...waitConnections]) connection.on('error', () => {});
  const keyPrefix = `bench:dedupe-wait:${randomUUID().slice(0, 8)}`;
  try {
    await pollUntil('the replica in sync', 10_000, async () =>
      (await redis.info('replication').catch(() => '')).includes('state=online') ? true : undefined,
    );
    // Configurations take turns, three rounds each, and the median round counts: on a shared machine a
    // single run of each drifted more than the difference being measured.
    const configurations = [1, 50].flatMap((eventsPerBatch) =>
      [0, 1].map((waitReplicas) => ({ eventsPerBatch, waitReplicas })),
    );
    const rounds = new Map<string, DedupeWaitRun[]>();
    for (let round = 0; round < 3; round += 1) {
      for (const { eventsPerBatch, waitReplicas } of configurations) {
        const run = await timeBatches(redis, waitConnections, keyPrefix, eventsPerBatch, waitReplicas);
        const key = `${eventsPerBatch}:${waitReplicas}`;
        rounds.set(key, [...(rounds.get(key) ?? []), run]);
      }
    }
    const runs = [...rounds.values()].map(
      (results) => [...results].sort((a, b) => a.batchesPerSecond - b.batchesPerSecond)[1] as DedupeWaitRun,
    );
    return runs;
  } finally {
    // The servers are this scenario's own: they go with their keys.
    redis.disconnect();
    for (const connection of waitConnections) connection.disconnect();
    for (const server of [replica, primary]) {
      server.process.kill('SIGKILL');
      if (server.process.exitCode === null) await once(server.process, 'exit');
    }
  }
}
