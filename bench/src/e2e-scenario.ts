import { waitUntilLogged } from '@dgc/dev-tools/supervision';
import { LocalRedisCluster, pollUntil } from '@dgc/dev-tools/testing';
import { type BaselineMode, BenchCluster, generateMessages } from './harness/bench-cluster.js';
import { EnqueuedEvents } from './harness/enqueued-events.js';
import { cpuSeconds, mebibytes, rssBytes, sampleRss } from './harness/process-stats.js';

export type EndToEndPath = 'project' | BaselineMode;

/** One Redis server, or a local Redis Cluster of 3 primaries (each with a replica) on the same machine. */
export type EndToEndRedis = 'single' | 'cluster';

export interface EndToEndRun {
  path: EndToEndPath;
  consumers: number;
  redis: EndToEndRedis;
  /** Live: events sent while the consumers run, and the rate from the first sent to the last counted. */
  events: number;
  seconds: number;
  perSecond: number;
  offeredPerSecond: number;
  /** Queue → handler alone: a backlog filled with no consumer running, drained by the consumers. */
  drainPerSecond: number;
  /** Consumer CPU seconds per 100,000 drained events: the drain's cost, steadier than its rate on a busy machine. */
  drainConsumerCpuPer100k: number;
  consumerRssAtRestMiB: number[];
  consumerRssPeakMiB: number[];
  /** CPU seconds per 100,000 live events, by process role: where the two cores went. */
  cpuPer100k: { simulator: number; gateway: number; consumers: number; redis: number };
}

export const liveEvents = Number(process.env.BENCH_E2E_EVENTS ?? 150_000);
// Every path must be offered more than it can take, or the figure measures the source: at 25,000/s both
// this project's path and @discordjs/brokers kept up with the offer on this machine. The simulator delivers
// up to ~48,000/s while it shares the cores with a path; the table shows what it achieved beside each rate.
export const offeredPerSecond = Number(process.env.BENCH_E2E_RATE ?? 50_000);
// 30,000 events (the old size) drained in about a second at two workers, so start-up noise outweighed the
// path in the drain figure; 120,000 (BENCH_E2E_BACKLOG) measures the steady drain.
export const backlogEvents = Number(process.env.BENCH_E2E_BACKLOG ?? 120_000);

/** Events waiting for a consumer on a path, read the way each path stores them. */
function backlogReader(cluster: BenchCluster, path: EndToEndPath): () => Promise<number> {
  if (path === 'project') {
    const enqueued = new EnqueuedEvents(cluster.redis, cluster.keyPrefix);
    return () => enqueued.poll();
  }
  if (path === 'naive') return () => cluster.redis.llen(`${cluster.keyPrefix}:baseline-events:wait`);
  return () => cluster.redis.xlen(`${cluster.keyPrefix}:MESSAGE_CREATE`);
}

/**
 * simulator → gateway → Redis → `consumers` processes → a trivial counting handler, in two phases with the
 * same processes. Drain: the gateway alone fills a backlog, then the consumers start together and drain
 * it (the rate counts what is handled after the last one is up, so process start-up is not counted). Live: the simulator offers more than
 * any path can take and the rate is measured from the first event sent to the last one counted. Every path
 * is fed by the same simulator over 4 uncompressed shards; only what happens between the shard and the
 * handler differs.
 */
export async function runEndToEnd(
  path: EndToEndPath,
  consumers: number,
  redis: EndToEndRedis = 'single',
): Promise<EndToEndRun> {
  // The baselines' own Redis code knows one server only.
  if (redis === 'cluster' && path !== 'project')
    throw new Error(`the ${path} baseline runs on single Redis only`);
  const redisCluster = redis === 'cluster' ? await LocalRedisCluster.start() : undefined;
  const cluster = await BenchCluster.start(
    `e2e-${path}-${consumers}-${redis}`,
    { shardCount: 4, guildCount: 40 },
    { redisCluster },
  );
  try {
    const gateway =
      path === 'project'
        ? // No worker has registered its handlers yet: the gateway is told what to forward.
          await cluster.startApp('gateway', { GATEWAY_EVENTS: 'MESSAGE_CREATE,INTERACTION_CREATE' })
        : await cluster.startBaseline('gateway', path, 'baseline-gateway');
    const backlog = backlogReader(cluster, path);
    const filled = await generateMessages(cluster.simulator, backlogEvents, 15_000);
    await pollUntil('backlog filled', 120_000, async () =>
      (await backlog()) >= filled.sent ? true : undefined,
    );

    // Consumers start together; the drain rate counts only what is handled once every one of them is up.
    // Every path counts from the log line its consumers write when they start consuming, as the baselines
    // serve no /readyz: waiting for /readyz polls would start our clock later than theirs.
    const consumerProcesses = await Promise.all(
      Array.from({ length: consumers }, (_, index) =>
        path === 'project'
          ? waitUntilLogged(
              cluster.launchApp('worker', {}, `worker-${index}`),
              'worker consuming gateway events',
              90_000,
            )
          : cluster.startBaseline('consumer', path, `consumer-${index}`),
      ),
    );
    const allUpAt = performance.now();
    const pids = consumerProcesses.map((service) => service.pid ?? 0);
    const drainCpuBefore = (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
    const handledBeforeAllUp = await cluster.counted();
    const drained = await pollUntil('backlog drained', 120_000, async () =>
      (await cluster.counted()) >= filled.sent ? performance.now() : undefined,
    );
    const drainPerSecond = (filled.sent - handledBeforeAllUp) / ((drained - allUpAt) / 1_000);
    const drainCpuAfter = (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
    const drainConsumerCpuPer100k =
      Math.round(((drainCpuAfter - drainCpuBefore) / (filled.sent - handledBeforeAllUp)) * 100_000 * 100) /
      100;

    const atRest = await Promise.all(pids.map(rssBytes));
    // Every node of a Redis Cluster, replicas included: replication is part of what the cluster costs.
    const redisPids = redisCluster
      ? redisCluster.pids
      : [Number(/^process_id:(\d+)/m.exec(await cluster.redis.info('server'))?.[1])];
    const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
    const cpuOf = async () => ({
      simulator: process.cpuUsage(),
      gateway: await cpuSeconds(gateway.pid ?? 0),
      consumers: sum(await Promise.all(pids.map(cpuSeconds))),
      redis: sum(await Promise.all(redisPids.map((pid) => cpuSeconds(pid).catch(() => Number.NaN)))),
    });
    const cpuBefore = await cpuOf();
    const rss = sampleRss(pids);
    const startedAt = performance.now();
    const report = await generateMessages(cluster.simulator, liveEvents, offeredPerSecond);
    const doneAt = await cluster.waitForCount(filled.sent + report.sent, 180_000);
    const peaks = rss.stop();
    const cpuAfter = await cpuOf();
    const simulatorUsage = process.cpuUsage(cpuBefore.simulator);
    const per100k = (seconds: number) => Math.round((seconds / report.sent) * 100_000 * 100) / 100;
    const seconds = (doneAt - startedAt) / 1_000;
    return {
      path,
      consumers,
      redis,
      events: report.sent,
      seconds,
      perSecond: report.sent / seconds,
      offeredPerSecond: report.achievedPerSecond,
      drainPerSecond,
      drainConsumerCpuPer100k,
      consumerRssAtRestMiB: atRest.map(mebibytes),
      consumerRssPeakMiB: peaks.map(mebibytes),
      cpuPer100k: {
        // The simulator runs in this process; the benchmark's own polling is a small share of it.
        simulator: per100k((simulatorUsage.user + simulatorUsage.system) / 1e6),
        gateway: per100k(cpuAfter.gateway - cpuBefore.gateway),
        consumers: per100k(cpuAfter.consumers - cpuBefore.consumers),
        redis: per100k(cpuAfter.redis - cpuBefore.redis),
      },
    };
  } finally {
    await cluster.close();
    await redisCluster?.stop();
  }
}

/**
 * The project's path at 1, 2 and 4 worker processes, both baselines with 2 consumer processes, and the
 * project's path with 2 workers on a local Redis Cluster (3 primaries, 3 replicas) against the same on
 * the single Redis. The cluster's nodes share this machine's two cores with everything else, so its ratio
 * shows what the cluster's protocol costs here (more connections, one round trip per node), not the
 * capacity that primaries on their own machines add.
 */
export async function runEndToEndScenario() {
  const runs: EndToEndRun[] = [];
  for (const consumers of [1, 2, 4]) runs.push(await runEndToEnd('project', consumers));
  runs.push(await runEndToEnd('naive', 2));
  runs.push(await runEndToEnd('brokers', 2));
  runs.push(await runEndToEnd('project', 2, 'cluster'));
  const two = (path: EndToEndPath, redis: EndToEndRedis = 'single') =>
    runs.find((run) => run.path === path && run.consumers === 2 && run.redis === redis);
  const ratio = (field: 'perSecond' | 'drainPerSecond', baseline: EndToEndPath) =>
    (two('project')?.[field] ?? Number.NaN) / (two(baseline)?.[field] ?? Number.NaN);
  const clusterRatio = (field: 'perSecond' | 'drainPerSecond' | 'drainConsumerCpuPer100k') =>
    (two('project', 'cluster')?.[field] ?? Number.NaN) / (two('project')?.[field] ?? Number.NaN);
  return {
    runs,
    ratios: {
      liveVsNaive: ratio('perSecond', 'naive'),
      liveVsBrokers: ratio('perSecond', 'brokers'),
      drainVsNaive: ratio('drainPerSecond', 'naive'),
      drainVsBrokers: ratio('drainPerSecond', 'brokers'),
      liveClusterVsSingle: clusterRatio('perSecond'),
      drainClusterVsSingle: clusterRatio('drainPerSecond'),
      /** Workers' CPU per drained event on the cluster over single Redis (above 1: the cluster costs more). */
      drainCpuClusterVsSingle: clusterRatio('drainConsumerCpuPer100k'),
      /** The same per live event: steadier than rates on a busy machine, where the offer varies per run. */
      liveCpuClusterVsSingle:
        (two('project', 'cluster')?.cpuPer100k.consumers ?? Number.NaN) /
        (two('project')?.cpuPer100k.consumers ?? Number.NaN),
    },
  };
}
