import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { pollUntil } from '@dgc/dev-tools/testing';
import { BenchCluster } from './harness/bench-cluster.js';
import { mebibytes, rssBytes } from './harness/process-stats.js';

/** Defaults are the soak; the environment shortens it to check the scenario works. */
export const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
export const soakPerSecond = Number(process.env.BENCH_SOAK_RATE ?? 5_000);
export const soakRestartEverySeconds = Number(process.env.BENCH_SOAK_RESTART_SECONDS ?? 60);
/** Start and end figures are averaged over this long (one sample per second). */
const windowSeconds = Math.min(30, Math.max(5, Math.floor(soakSeconds / 10)));

interface Sample {
  gatewayRss: number;
  workerRss: number[];
  redisBytes: number;
  /** Events sent and not yet counted: how far behind the workers are, in events. */
  behind: number;
  /** Events handled so far (to put Redis's growth per handled event). */
  counted: number;
}

const average = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * `soak`: MESSAGE_CREATE at a steady rate through 1 gateway (4 shards) and 2 workers for the soak's length,
 * one worker restarted (SIGTERM, drained, started again) at each interval, alternating. Reports the
 * gateway's and workers' RSS, Redis memory and the lag (events behind, and seconds at the offered rate),
 * each as end / start, and how many events were sent and handled. Baseline in the same run: the start
 * window itself (ratios near 1 mean nothing grows).
 */
export async function runSoak() {
  const cluster = await BenchCluster.start('soak', { shardCount: 4, guildCount: 40 }, { database: true });
  const workerEnv = { WORKER_BOT_MODULE: 'bench/src/fixtures/soak-bot.ts' };
  try {
    const workers: ManagedProcess[] = [
      await cluster.startApp('worker', workerEnv, 'worker-1'),
      await cluster.startApp('worker', workerEnv, 'worker-2'),
    ];
    const gateway = await cluster.startApp('gateway', {}, 'gateway');
    const traffic = cluster.simulator.startTraffic({
      eventsPerSecond: soakPerSecond,
      mix: { MESSAGE_CREATE: 1 },
    });
    const startedAt = Date.now();
    const sample = async (): Promise<Sample> => {
      const sent = traffic.report().byEvent.MESSAGE_CREATE ?? 0;
      const [gatewayRss, workerRss, memory, counted] = await Promise.all([
        rssBytes(gateway.pid ?? 0),
        Promise.all(workers.map((worker) => rssBytes(worker.pid ?? 0).catch(() => 0))),
        cluster.redis.info('memory'),
        cluster.counted(),
      ]);
      const redisBytes = Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? 0);
      return { gatewayRss, workerRss, redisBytes, behind: Math.max(0, sent - counted), counted };
    };
    const samples: { at: number; sample: Sample }[] = [];
    let restarts = 0;
    let nextRestartAt = startedAt + soakRestartEverySeconds * 1_000;
    while (Date.now() - startedAt < soakSeconds * 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      samples.push({ at: Date.now() - startedAt, sample: await sample() });
      if (Date.now() >= nextRestartAt && Date.now() - startedAt < soakSeconds * 1_000 - 5_000) {
        const index = restarts % workers.length;
        const old = workers[index];
        await old?.stop('SIGTERM', 30_000);
        cluster.processes.splice(cluster.processes.indexOf(old as ManagedProcess), 1);
        workers[index] = await cluster.startApp('worker', workerEnv, `worker-${index + 1}-${restarts + 2}`);
        restarts += 1;
        nextRestartAt += soakRestartEverySeconds * 1_000;
      }
    }
    const sent = traffic.stop().byEvent.MESSAGE_CREATE ?? 0;
    const drainStarted = performance.now();
    await pollUntil(
      'every soak event counted',
      120_000,
      async () => ((await cluster.counted()) >= sent ? true : undefined),
      250,
    );
    const drainMs = Math.round(performance.now() - drainStarted);
    // Late duplicates would show as handled > sent: give them a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const handled = await cluster.counted();

    // The start window begins after a warm-up (the first restart interval's first seconds).
    const warmUp = Math.min(10, Math.floor(soakSeconds / 6));
    const first = samples.filter(({ at }) => at >= warmUp * 1_000).slice(0, windowSeconds);
    const last = samples.slice(-windowSeconds);
    const figure = (pick: (sample: Sample) => number) => {
      const start = average(first.map(({ sample }) => pick(sample)));
      const end = average(last.map(({ sample }) => pick(sample)));
      return { start, end, ratio: start > 0 ? end / start : Number.NaN };
    };
    // Redis grows by what workers remember of each handled event (its dedupe mark, kept
    // DEDUPE_RETENTION_MS) until the first marks expire: bytes per handled event tell an operator the
    // steady size at their own rate and retention.
    const redisGrowth = figure((sample) => sample.redisBytes);
    const countedGrowth = figure((sample) => sample.counted);
    const redisBytesPerHandledEvent =
      countedGrowth.end > countedGrowth.start
        ? Math.round((redisGrowth.end - redisGrowth.start) / (countedGrowth.end - countedGrowth.start))
        : Number.NaN;
    return {
      redisBytesPerHandledEvent,
      seconds: soakSeconds,
      offeredPerSecond: soakPerSecond,
      restarts,
      sent,
      handled,
      lost: Math.max(0, sent - handled),
      duplicates: Math.max(0, handled - sent),
      drainMs,
      gatewayRssMiB: mapFigure(
        figure((sample) => sample.gatewayRss),
        mebibytes,
      ),
      workerRssMiB: mapFigure(
        figure((sample) => average(sample.workerRss)),
        mebibytes,
      ),
      redisMiB: mapFigure(
        figure((sample) => sample.redisBytes),
        mebibytes,
      ),
      lagEvents: mapFigure(
        figure((sample) => sample.behind),
        Math.round,
      ),
      lagSeconds: mapFigure(
        figure((sample) => sample.behind / soakPerSecond),
        (value) => Math.round(value * 100) / 100,
      ),
    };
  } finally {
    await cluster.close();
  }
}

function mapFigure(value: { start: number; end: number; ratio: number }, round: (value: number) => number) {
  return { start: round(value.start), end: round(value.end), ratio: Math.round(value.ratio * 100) / 100 };
}
