import { BenchCluster, percentile } from './harness/bench-cluster.js';

const samples = 1_000;
const pingEveryMs = 10;
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

/** `/ping` every `pingEveryMs`: ms from the simulator sending INTERACTION_CREATE to receiving the callback. */
async function measurePings(cluster: BenchCluster, count: number): Promise<number[]> {
  const pending: Promise<number>[] = [];
  for (let index = 0; index < count; index += 1) {
    const sentAt = performance.now();
    const interaction = cluster.simulator.injectInteraction({ commandName: 'ping' });
    pending.push(
      cluster.simulator
        .waitForInteractionResponse(interaction.id, 10_000)
        .then(() => performance.now() - sentAt),
    );
    await new Promise((resolve) => setTimeout(resolve, pingEveryMs));
  }
  return Promise.all(pending);
}

/**
 * Interaction latency idle and under 5,000 MESSAGE_CREATE/s, with the deployment the README recommends: a
 * worker process for the interactions lane and two for the other lanes.
 */
export async function runInteractionScenario() {
  const cluster = await BenchCluster.start('interactions', { shardCount: 4, guildCount: 40 });
  try {
    await cluster.startApp('worker', { WORKER_LANES: 'interactions' }, 'worker-interactions');
    for (const index of [0, 1]) {
      await cluster.startApp('worker', { WORKER_LANES: 'events,bulk' }, `worker-events-${index}`);
    }
    await cluster.startApp('gateway');
    await measurePings(cluster, 50); // warm-up: JIT and connection pools, as in a running cluster
    const idle = summarise(await measurePings(cluster, samples));
    const traffic = cluster.simulator.startTraffic({
      eventsPerSecond: backgroundPerSecond,
      mix: { MESSAGE_CREATE: 1 },
    });
    const countedBefore = await cluster.counted();
    let loaded: LatencySummary;
    try {
      loaded = summarise(await measurePings(cluster, samples));
    } finally {
      traffic.stop();
    }
    const background = await cluster.counted();
    return {
      idle,
      loaded,
      backgroundPerSecond,
      backgroundHandledDuringRun: background - countedBefore,
      p99Ratio: loaded.p99 / idle.p99,
    };
  } finally {
    await cluster.close();
  }
}
