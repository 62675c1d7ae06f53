import type { Redis } from '@dgc/shared';
import { BenchCluster, generateMessages } from './harness/bench-cluster.js';
import { EnqueuedEvents } from './harness/enqueued-events.js';
import { cpuSeconds } from './harness/process-stats.js';

const events = 30_000;
const offeredPerSecond = 15_000;
const baselinePipeline = 100;
const baselinePipelinesInFlight = 4;

export interface IngestRun {
  compression: 'none' | 'zlib';
  events: number;
  seconds: number;
  perSecond: number;
  gatewayCpuSecondsPer100k: number;
  redisBytesPerWaitingEvent: number;
  samplePayloads: string[];
}

/** simulator → one gateway process (4 shards) → the events lane, with no worker draining it. */
export async function runIngest(compression: 'none' | 'zlib'): Promise<IngestRun> {
  const cluster = await BenchCluster.start(
    `ingest-${compression}`,
    { shardCount: 4, guildCount: 40 },
    {
      database: false,
    },
  );
  try {
    const memoryBefore = await usedMemory(cluster.redis);
    const gateway = await cluster.startApp('gateway', {
      GATEWAY_COMPRESSION: compression,
      // No worker registers handlers in this run: the gateway is told what to forward.
      GATEWAY_EVENTS: 'MESSAGE_CREATE',
      GATEWAY_SHED_HIGH_WATER_MARK: String(events * 10),
    });
    const pid = gateway.pid ?? 0;
    const enqueued = new EnqueuedEvents(cluster.redis, cluster.keyPrefix);
    const cpuBefore = await cpuSeconds(pid);
    const startedAt = performance.now();
    const report = await generateMessages(cluster.simulator, events, offeredPerSecond);
    const deadline = performance.now() + 120_000;
    while ((await enqueued.poll()) < report.sent) {
      if (performance.now() > deadline) throw new Error(`enqueued ${enqueued.count} of ${report.sent}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - startedAt) / 1_000;
    const cpu = (await cpuSeconds(pid)) - cpuBefore;
    const memoryAfter = await usedMemory(cluster.redis);
    return {
      compression,
      events: report.sent,
      seconds,
      perSecond: report.sent / seconds,
      gatewayCpuSecondsPer100k: (cpu / report.sent) * 100_000,
      redisBytesPerWaitingEvent: (memoryAfter - memoryBefore) / report.sent,
      samplePayloads: enqueued.samplePayloads,
    };
  } finally {
    await cluster.close();
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}

/** Raw pipelined XADD of the same payloads from Node: the floor any Redis-backed event path pays. */
async function rawXadd(payloads: readonly string[], count: number): Promise<number> {
  const cluster = await BenchCluster.start(
    'ingest-xadd',
    { shardCount: 1, guildCount: 1 },
    { database: false },
  );
  try {
    const stream = `${cluster.keyPrefix}:raw-events`;
    let next = 0;
    const sendPipeline = async () => {
      const pipeline = cluster.redis.pipeline();
      for (let index = 0; index < baselinePipeline; index += 1) {
        pipeline.xadd(stream, '*', 'd', payloads[next % payloads.length] ?? '{}');
        next += 1;
      }
      await pipeline.exec();
    };
    const startedAt = performance.now();
    const lanes = Array.from({ length: baselinePipelinesInFlight }, async () => {
      while (next < count) await sendPipeline();
    });
    await Promise.all(lanes);
    return next / ((performance.now() - startedAt) / 1_000);
  } finally {
    await cluster.close();
  }
}

export async function runIngestScenario() {
  const uncompressed = await runIngest('none');
  const compressed = await runIngest('zlib');
  const xaddPerSecond = await rawXadd(uncompressed.samplePayloads, events);
  const strip = ({ samplePayloads: _, ...run }: IngestRun) => run;
  return {
    runs: [strip(uncompressed), strip(compressed)],
    baselineXaddPerSecond: xaddPerSecond,
    payloadBytes:
      uncompressed.samplePayloads.reduce((sum, payload) => sum + payload.length, 0) /
      Math.max(1, uncompressed.samplePayloads.length),
  };
}
