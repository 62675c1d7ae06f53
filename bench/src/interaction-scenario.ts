import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pollUntil } from '@dgc/dev-tools/testing';
import { BenchCluster, percentile } from './harness/bench-cluster.js';

// 3,000 samples put the p99 on the 30 slowest round trips, so a few scheduler hiccups on a shared 2-core
// machine move it less (with 2,000, the ratio of the same build moved between 1.5× and 2.3× across runs).
export const samples = 3_000;
export const pingEveryMs = 5;
/** Idle and loaded blocks per run, each of `samples / blocks` pings. */
export const blocks = 5;
const backgroundPerSecond = 5_000;

export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

function summarise(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((left, right) => left - right);
  const ms = (value: number) => Math.round(value * 10) / 10;
  return {
    samples: sorted.length,
    p50: ms(percentile(sorted, 0.5)),
    p99: ms(percentile(sorted, 0.99)),
    p999: ms(percentile(sorted, 0.999)),
    max: ms(sorted.at(-1) ?? Number.NaN),
  };
}

interface PingSample {
  /** From the simulator sending INTERACTION_CREATE to receiving the callback. */
  totalMs: number;
  /** Hops, from the timestamps in the reply (every process shares this machine's clock). */
  simulatorToGatewayMs: number;
  gatewayToWorkerMs: number;
  workerToCallbackMs: number;
}

/** `/ping` every `pingEveryMs`, `count` times, adding each round trip to `into`. */
async function measurePings(cluster: BenchCluster, count: number, into: PingSample[]) {
  const pending: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const sentAt = performance.now();
    const sentAtEpoch = Date.now();
    const interaction = cluster.simulator.injectInteraction({ commandName: 'ping' });
    pending.push(
      cluster.simulator.waitForInteractionResponse(interaction.id, 10_000).then((callback) => {
        const totalMs = performance.now() - sentAt;
        const content = (callback.requestBody as { data?: { content?: string } }).data?.content ?? '';
        const [, gatewayAt, workerAt] = (/gateway (\d+) worker (\d+)/.exec(content) ?? []).map(Number);
        into.push({
          totalMs,
          simulatorToGatewayMs: (gatewayAt ?? Number.NaN) - sentAtEpoch,
          gatewayToWorkerMs: (workerAt ?? Number.NaN) - (gatewayAt ?? Number.NaN),
          workerToCallbackMs: sentAtEpoch + totalMs - (workerAt ?? Number.NaN),
        });
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, pingEveryMs));
  }
  await Promise.all(pending);
}

/** The samples of one condition (idle or loaded) and the simulator's event-loop delay while they ran. */
class Condition {
  readonly samples: PingSample[] = [];
  readonly #loop = monitorEventLoopDelay({ resolution: 5 });

  async measure(cluster: BenchCluster, count: number): Promise<void> {
    this.#loop.enable();
    try {
      await measurePings(cluster, count, this.samples);
    } finally {
      this.#loop.disable();
    }
  }

  get simulatorLoopDelayP99Ms(): number {
    return this.#loop.percentile(99) / 1e6;
  }
}

function summarisePings({ samples, simulatorLoopDelayP99Ms }: Condition) {
  return {
    ...summarise(samples.map((sample) => sample.totalMs)),
    'p99 simulator→gateway': summarise(samples.map((sample) => sample.simulatorToGatewayMs)).p99,
    'p99 gateway→worker': summarise(samples.map((sample) => sample.gatewayToWorkerMs)).p99,
    'p99 worker→callback': summarise(samples.map((sample) => sample.workerToCallbackMs)).p99,
    // The simulator's own event-loop delay is in every round trip it measures (it sends and receives).
    'simulator loop delay p99': Math.round(simulatorLoopDelayP99Ms * 10) / 10,
  };
}

/**
 * Interaction latency idle and under 5,000 MESSAGE_CREATE/s, with the deployment the README recommends when
 * processes share cores: a worker process for the interactions lane, and two for the other lanes at a lower
 * CPU priority (`WORKER_NICE=10`).
 */
export async function runInteractionScenario() {
  const cluster = await BenchCluster.start('interactions', { shardCount: 4, guildCount: 40 });
  try {
    await cluster.startApp('worker', { WORKER_LANES: 'interactions' }, 'worker-interactions');
    for (const index of [0, 1]) {
      await cluster.startApp(
        'worker',
        { WORKER_LANES: 'events,bulk', WORKER_NICE: '10' },
        `worker-events-${index}`,
      );
    }
    await cluster.startApp('gateway');
    await new Condition().measure(cluster, 50); // warm-up: JIT and connection pools, as in a running cluster
    // Idle and loaded blocks alternate, so whatever else the machine does during the run (it is shared)
    // falls on both conditions alike instead of deciding the ratio.
    const idle = new Condition();
    const loaded = new Condition();
    const countedAtStart = await cluster.counted();
    let backgroundSent = 0;
    for (let block = 0; block < blocks; block += 1) {
      await idle.measure(cluster, samples / blocks);
      const countedBefore = await cluster.counted();
      const traffic = cluster.simulator.startTraffic({
        eventsPerSecond: backgroundPerSecond,
        mix: { MESSAGE_CREATE: 1 },
      });
      try {
        // Latency under load means steady load: the first second of traffic also warms the message path
        // (JIT, connection pools, batch sizes).
        await pollUntil('background traffic steady', 30_000, async () =>
          (await cluster.counted()) - countedBefore >= backgroundPerSecond ? true : undefined,
        );
        await loaded.measure(cluster, samples / blocks);
      } finally {
        backgroundSent += traffic.stop().sent;
      }
      // The next idle block starts once the background is handled.
      await pollUntil('background traffic handled', 60_000, async () =>
        (await cluster.counted()) >= countedAtStart + backgroundSent ? true : undefined,
      );
    }
    const idleSummary = summarisePings(idle);
    const loadedSummary = summarisePings(loaded);
    return {
      idle: idleSummary,
      loaded: loadedSummary,
      backgroundPerSecond,
      backgroundHandledDuringRun: (await cluster.counted()) - countedAtStart,
      p99Ratio: loadedSummary.p99 / idleSummary.p99,
    };
  } finally {
    await cluster.close();
  }
}
