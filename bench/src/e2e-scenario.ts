import { waitUntilLogged } from '@dgc/dev-tools/supervision';
import { pollUntil } from '@dgc/dev-tools/testing';
import { type BaselineMode, BenchCluster, generateMessages } from './harness/bench-cluster.js';
import { EnqueuedEvents } from './harness/enqueued-events.js';
import { cpuSeconds, mebibytes, rssBytes, sampleRss } from './harness/process-stats.js';

export type EndToEndPath = 'project' | BaselineMode;

export interface EndToEndRun {
  path: EndToEndPath;
  consumers: number;
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
export async function runEndToEnd(path: EndToEndPath, consumers: number): Promise<EndToEndRun> {
  const cluster = await BenchCluster.start(`e2e-${path}-${consumers}`, { shardCount: 4, guildCount: 40 });
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
    const redisPid = Number(/^process_id:(\d+)/m.exec(await cluster.redis.info('server'))?.[1]);
    const cpuOf = async () => ({
      simulator: process.cpuUsage(),
      gateway: await cpuSeconds(gateway.pid ?? 0),
      consumers: (await Promise.all(pids.map(cpuSeconds))).reduce((sum, value) => sum + value, 0),
      redis: await cpuSeconds(redisPid).catch(() => Number.NaN),
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
  }
}

/** The project's path at 1, 2 and 4 worker processes, and both baselines with 2 consumer processes. */
export async function runEndToEndScenario() {
  const runs: EndToEndRun[] = [];
  for (const consumers of [1, 2, 4]) runs.push(await runEndToEnd('project', consumers));
  runs.push(await runEndToEnd('naive', 2));
  runs.push(await runEndToEnd('brokers', 2));
  const two = (path: EndToEndPath) => runs.find((run) => run.path === path && run.consumers === 2);
  const ratio = (field: 'perSecond' | 'drainPerSecond', baseline: EndToEndPath) =>
    (two('project')?.[field] ?? Number.NaN) / (two(baseline)?.[field] ?? Number.NaN);
  return {
    runs,
    ratios: {
      liveVsNaive: ratio('perSecond', 'naive'),
      liveVsBrokers: ratio('perSecond', 'brokers'),
      drainVsNaive: ratio('drainPerSecond', 'naive'),
      drainVsBrokers: ratio('drainPerSecond', 'brokers'),
    },
  };
}
