import { type BaselineMode, BenchCluster, generateMessages } from './harness/bench-cluster.js';
import { cpuSeconds, mebibytes, rssBytes, sampleRss } from './harness/process-stats.js';

export type EndToEndPath = 'project' | BaselineMode;

export interface EndToEndRun {
  path: EndToEndPath;
  consumers: number;
  events: number;
  seconds: number;
  perSecond: number;
  offeredPerSecond: number;
  consumerRssAtRestMiB: number[];
  consumerRssPeakMiB: number[];
  /** CPU seconds per 100,000 events, by process role: where the two cores went. */
  cpuPer100k: { simulator: number; gateway: number; consumers: number; redis: number };
}

const events = Number(process.env.BENCH_E2E_EVENTS ?? 30_000);
const offeredPerSecond = Number(process.env.BENCH_E2E_RATE ?? 15_000);
const warmUpEvents = 2_000;

/**
 * simulator → gateway → Redis → `consumers` processes → a trivial counting handler: events/s from the first
 * event sent to the last one counted. Every path is fed by the same simulator at the same rate over 4
 * uncompressed shards; only what happens between the shard and the handler differs.
 */
export async function runEndToEnd(path: EndToEndPath, consumers: number): Promise<EndToEndRun> {
  const cluster = await BenchCluster.start(`e2e-${path}-${consumers}`, { shardCount: 4, guildCount: 40 });
  try {
    const consumerProcesses = [];
    for (let index = 0; index < consumers; index += 1) {
      consumerProcesses.push(
        path === 'project'
          ? await cluster.startApp('worker', {}, `worker-${index}`)
          : await cluster.startBaseline('consumer', path, `consumer-${index}`),
      );
    }
    const gateway =
      path === 'project'
        ? await cluster.startApp('gateway')
        : await cluster.startBaseline('gateway', path, 'baseline-gateway');

    // Warm the processes (JIT, connection pools) the way a running cluster is warm.
    const warmUp = await generateMessages(cluster.simulator, warmUpEvents, 2_000);
    await cluster.waitForCount(warmUp.sent, 60_000);
    const pids = consumerProcesses.map((service) => service.pid ?? 0);
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
    const report = await generateMessages(cluster.simulator, events, offeredPerSecond);
    const doneAt = await cluster.waitForCount(warmUp.sent + report.sent, 180_000);
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
  const rate = (path: EndToEndPath, consumers = 2) =>
    runs.find((run) => run.path === path && run.consumers === consumers)?.perSecond ?? Number.NaN;
  return {
    runs,
    ratios: {
      projectVsNaive: rate('project') / rate('naive'),
      projectVsBrokers: rate('project') / rate('brokers'),
    },
  };
}
