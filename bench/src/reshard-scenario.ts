import { logMessageIs, type ManagedProcess } from '@dgc/dev-tools/supervision';
import { freePort, pollUntil } from '@dgc/dev-tools/testing';
import { advanceReshard, type ReshardProgress, readGenerationState, startReshard } from '@dgc/shared';
import { BenchCluster, percentile } from './harness/bench-cluster.js';

/** Defaults are the reshard (1,000 MESSAGE_CREATE/s); the environment shortens the baseline. */
export const reshardPerSecond = Number(process.env.BENCH_RESHARD_RATE ?? 1_000);
export const reshardBaselineSeconds = Number(process.env.BENCH_RESHARD_BASELINE_SECONDS ?? 15);
const fromShards = 4;
const toShards = 8;
const maxConcurrency = 4;
const gatewayCount = 3;
/** How long traffic runs before the command and after the switch, so both edges carry load. */
const marginMs = 1_000;

interface PhaseFigures {
  sent: number;
  handled: number;
  /** Handler runs beyond one per message: doubles the workers' dedupe let through. */
  handledTwice: number;
  lost: number;
  /** Messages handled per second of traffic. */
  eventsPerSecond: number;
  /** Creation (snowflake time) → handler start, ms. */
  p50LatencyMs: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  /** Redeliveries the workers' dedupe dropped during the phase. */
  duplicatesDropped: number;
}

/**
 * `reshard`: 3 gateways run 4 shards (max_concurrency 4) with 1 worker under a steady MESSAGE_CREATE rate.
 * Baseline: the same flow without a reshard, for `BENCH_RESHARD_BASELINE_SECONDS`. Then a reshard to 8
 * shards, started and followed as `npm run cluster -- reshard --to 8` does (in this process, so the CLI's
 * own start-up is not counted): seconds from the command to the switch against the theoretical minimum
 * ((8 / max_concurrency) − 1) × 5 s, identifies spent, events handled once, and what the overlap cost —
 * the duplicates the workers' dedupe dropped, and what holding sets published for lack of a recent poll.
 */
export async function runReshardScenario() {
  const cluster = await BenchCluster.start(
    'reshard',
    { shardCount: fromShards, guildCount: 48, maxConcurrency, resumeWindowMs: 60_000 },
    { database: true },
  );
  const phaseKey = `${cluster.keyPrefix}:reshard:phase`;
  try {
    const workerMetricsPort = await freePort();
    await cluster.startApp(
      'worker',
      { WORKER_BOT_MODULE: 'bench/src/fixtures/reshard-bot.ts', METRICS_PORT: String(workerMetricsPort) },
      'worker',
    );
    const gateways: ManagedProcess[] = [];
    // One after the other, as a rolling deployment starts them; the first takes every shard, and the
    // others take their share as leases are rebalanced.
    for (let index = 0; index < gatewayCount; index += 1)
      gateways.push(await cluster.startApp('gateway', { GATEWAY_LEASE_TTL_MS: '3000' }, `gateway-${index}`));
    await pollUntil(
      'every gateway connected its shards',
      60_000,
      () =>
        gateways.every((gateway) => gateway.lines.some(logMessageIs('gateway connected its shards'))) ||
        undefined,
      250,
    );
    const skipped = () => scrapeCounter(workerMetricsPort, 'dgc_events_skipped_total');

    // Baseline: the same cluster and traffic, no reshard.
    await cluster.redis.set(phaseKey, 'baseline');
    const baselineSkippedBefore = await skipped();
    const baselineTraffic = cluster.simulator.startTraffic({
      eventsPerSecond: reshardPerSecond,
      mix: { MESSAGE_CREATE: 1 },
    });
    await new Promise((resolve) => setTimeout(resolve, reshardBaselineSeconds * 1_000));
    const baselineReport = baselineTraffic.stop();
    const baseline = await phaseFigures(cluster, 'baseline', baselineReport, skipped, baselineSkippedBefore);

    // The reshard under the same traffic.
    await cluster.redis.set(phaseKey, 'reshard');
    cluster.simulator.recommendedShardCount = toShards;
    const reshardSkippedBefore = await skipped();
    const before = cluster.simulator.stats();
    const traffic = cluster.simulator.startTraffic({
      eventsPerSecond: reshardPerSecond,
      mix: { MESSAGE_CREATE: 1 },
    });
    await new Promise((resolve) => setTimeout(resolve, marginMs));
    const commandAt = Date.now();
    const started = await startReshard(cluster.redis, cluster.keyPrefix, {
      toShardCount: toShards,
      deadlineMs: 120_000,
    });
    if (!started.started) throw new Error(`reshard refused: ${started.reason}`);
    /** When the command's loop first saw each phase ('ended': the record had no reshard any more). */
    const phases: Partial<Record<ReshardProgress['phase'] | 'ended', number>> = {};
    const outcome = await pollUntil(
      'the reshard switched or rolled back',
      150_000,
      async () => {
        const progress = await advanceReshard(cluster.redis, cluster.keyPrefix);
        phases[progress.phase === 'none' ? 'ended' : progress.phase] ??= Date.now() - commandAt;
        return ['committed', 'rolled-back', 'none'].includes(progress.phase) ? progress.phase : undefined;
      },
      // The CLI's own step.
      250,
    );
    // The gateways step the state machine too: whoever committed, the record says what and when.
    const state = await readGenerationState(cluster.redis, cluster.keyPrefix);
    const switched = outcome !== 'rolled-back' && state?.active.generation === started.generation;
    const switchedAt = state?.last?.at ?? Date.now();
    await new Promise((resolve) => setTimeout(resolve, marginMs));
    const report = traffic.stop();
    const after = cluster.simulator.stats();
    const reshard = await phaseFigures(cluster, 'reshard', report, skipped, reshardSkippedBefore);
    const theoreticalSeconds = (toShards / maxConcurrency - 1) * 5;
    const switchSeconds = (switchedAt - commandAt) / 1_000;
    // A holding set publishes an event when its last poll is too old to rule a switch out; the old set
    // publishes it too, and the workers drop the double (see cut-over-gate.ts).
    const publishedUndecided = gateways
      .flatMap((gateway) => gateway.lines.filter(logMessageIs('a holding shard set published events')))
      .reduce((sum, line) => sum + Number((JSON.parse(line) as { published?: number }).published ?? 0), 0);
    return {
      fromShards,
      toShards,
      gateways: gatewayCount,
      maxConcurrency,
      offeredPerSecond: reshardPerSecond,
      outcome: switched ? 'switched' : 'rolled back',
      switchSeconds,
      theoreticalMinimumSeconds: theoreticalSeconds,
      limitSeconds: (toShards / maxConcurrency) * 5 + 10,
      phasesAtMs: phases,
      identifiesSpent: after.identifies - before.identifies,
      identifyConcurrencyViolations:
        after.identifyConcurrencyViolations - before.identifyConcurrencyViolations,
      publishedUndecided,
      reshard,
      baseline,
    };
  } finally {
    await cluster.close();
  }
}

/** What one phase's traffic came to once every message sent was handled (or 30 s passed). */
async function phaseFigures(
  cluster: BenchCluster,
  phase: string,
  report: { byEvent: Record<string, number | undefined>; elapsedMs: number },
  skipped: () => Promise<number>,
  skippedBefore: number,
): Promise<PhaseFigures> {
  const key = `${cluster.keyPrefix}:reshard:${phase}`;
  const sent = report.byEvent.MESSAGE_CREATE ?? 0;
  const handledCount = () => cluster.redis.scard(`${key}:handled`);
  await pollUntil('every message of the phase handled', 30_000, async () =>
    (await handledCount()) >= sent ? true : undefined,
  ).catch(() => undefined);
  // Late doubles would show as extra runs: the recorder writes every 100 ms.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const [handled, runs, latencies] = await Promise.all([
    handledCount(),
    cluster.redis.get(`${key}:runs`),
    cluster.redis.lrange(`${key}:latency`, 0, -1),
  ]);
  const sorted = latencies.map(Number).sort((left, right) => left - right);
  return {
    sent,
    handled,
    handledTwice: Number(runs ?? 0) - handled,
    lost: Math.max(0, sent - handled),
    eventsPerSecond: Math.round(handled / (report.elapsedMs / 1_000)),
    p50LatencyMs: percentile(sorted, 0.5),
    p99LatencyMs: percentile(sorted, 0.99),
    maxLatencyMs: sorted.at(-1) ?? Number.NaN,
    duplicatesDropped: (await skipped()) - skippedBefore,
  };
}

/** Sums a Prometheus counter over its labels, from an app's /metrics. */
async function scrapeCounter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
