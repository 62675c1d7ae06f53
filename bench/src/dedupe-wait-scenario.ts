import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { freePort, pollUntil } from '@dgc/dev-tools/testing';
import { createRedisConnection, singleRedis } from '@dgc/shared';
import { type ClaimReplication, EventDedupe, RedisClaimReplication } from '@dgc/worker';

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

/**
 * How the dedupe waits for the replica: not at all (the baseline); `WAIT 1` on the connection that made
 * the claims, as before the checks had connections of their own (its WAIT covered that connection's last
 * write, and blocked it meanwhile); or the worker's replication checks on connections of their own.
 */
export type DedupeWaitMode = 'none' | 'claims-connection' | 'own-connections';

/** The pre-change wait, kept here only to compare with: WAIT on the connection the claims went out on. */
function waitOnClaimsConnection(redis: ReturnType<typeof createRedisConnection>): ClaimReplication {
  return {
    confirm: async () => {
      const acknowledged = await redis.wait(1, 1_000);
      return acknowledged >= 1 ? { kind: 'replicated' } : { kind: 'short', acknowledged, wanted: 1 };
    },
  };
}

async function timeBatches(
  redis: ReturnType<typeof createRedisConnection>,
  waitConnections: ReturnType<typeof createRedisConnection>[],
  keyPrefix: string,
  eventsPerBatch: number,
  mode: DedupeWaitMode,
): Promise<DedupeWaitRun> {
  // As a worker runs it: the checks (each a WAIT) on connections of their own, one check for every job
  // that claimed while they were busy.
  const replication =
    mode === 'own-connections'
      ? new RedisClaimReplication({
          connections: waitConnections,
          keyPrefix,
          timeoutMs: 1_000,
          plan: () => ({ check: true, waitFor: 1, wanted: 1 }),
        })
      : mode === 'claims-connection'
        ? waitOnClaimsConnection(redis)
        : undefined;
  const dedupe = new EventDedupe(redis, {
    keyPrefix,
    processingTtlMs: 20_000,
    doneTtlMs: 60_000,
    ...(replication ? { replication } : {}),
  });
  const latencies: number[] = [];
  // What other traffic on the claims' connection (a worker's queue commands, its cache reads) waits.
  const pings: number[] = [];
  let next = 0;
  let running = true;
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
  const pinger = async () => {
    while (running) {
      const began = performance.now();
      await redis.ping();
      pings.push(performance.now() - began);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const pinging = pinger();
  await Promise.all(Array.from({ length: inFlight }, lane));
  running = false;
  await pinging;
  const seconds = (performance.now() - startedAt) / 1_000;
  latencies.sort((a, b) => a - b);
  pings.sort((a, b) => a - b);
  return {
    mode,
    eventsPerBatch,
    batchesPerSecond: batchesPerRun / seconds,
    eventsPerSecond: (batchesPerRun * eventsPerBatch) / seconds,
    p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    pingP99Ms: pings[Math.floor(pings.length * 0.99)] ?? 0,
  };
}

export interface DedupeWaitRun {
  mode: DedupeWaitMode;
  eventsPerBatch: number;
  batchesPerSecond: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** p99 of a PING sent every 5 ms on the claims' connection during the run. */
  pingP99Ms: number;
}

/**
 * What WORKER_DEDUPE_WAIT_REPLICAS costs a worker: a batch's claim and its done mark (the dedupe's two
 * round trips per job), 8 jobs in flight, against a primary with one replica on this host: without a wait
 * (the baseline), with `WAIT 1` on the claims' connection (how it waited before), and with the worker's
 * replication checks on connections of their own, in the same run on the same servers.
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
    const modes: DedupeWaitMode[] = ['none', 'claims-connection', 'own-connections'];
    const configurations = [1, 50].flatMap((eventsPerBatch) =>
      modes.map((mode) => ({ eventsPerBatch, mode })),
    );
    const rounds = new Map<string, DedupeWaitRun[]>();
    for (let round = 0; round < 3; round += 1) {
      for (const { eventsPerBatch, mode } of configurations) {
        const run = await timeBatches(redis, waitConnections, keyPrefix, eventsPerBatch, mode);
        const key = `${eventsPerBatch}:${mode}`;
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
