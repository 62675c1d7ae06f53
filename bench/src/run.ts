// Over 300 lines: one table of every bench scenario (what it starts, its same-run baseline, what it prints), read top to bottom.
/**
 * `npm run bench [-- <scenario>…]`: runs scenarios that start real processes, prints each figure beside a
 * baseline measured in the same run (absolute numbers drift on shared machines; ratios hold), and writes the
 * results to bench/results/<time>.json.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCacheScenario } from './cache-scenario.js';
import { runFailover, runGatewayMemory, runStartup } from './cluster-scenario.js';
import { compiledMemoryEventsPerSecond, runCompiledMemory } from './compiled-memory-scenario.js';
import { type DedupeWaitMode, runDedupeWait } from './dedupe-wait-scenario.js';
import {
  backlogEvents,
  type EndToEndRun,
  liveEvents,
  offeredPerSecond,
  runEndToEnd,
  runEndToEndScenario,
} from './e2e-scenario.js';
import { runIngest, runIngestScenario } from './ingest-scenario.js';
import {
  blocks as interactionBlocks,
  samples as interactionSamples,
  pingEveryMs,
  runInteractionScenario,
} from './interaction-scenario.js';
import { pgOutagePerSecond, pgOutageSeconds, runPgOutage } from './pg-outage-scenario.js';
import { reshardBaselineSeconds, reshardPerSecond, runReshardScenario } from './reshard-scenario.js';
import { measureCallbackLatency, runRestLoad } from './rest-load/index.js';
import { runSessionWrites } from './session-writes-scenario.js';
import { runSimulatorScenario } from './simulator-scenario.js';
import { runSoak, soakPerSecond, soakRestartEverySeconds, soakSeconds } from './soak-scenario.js';

// Figures one scenario measures and another reports (memory reuses the ingest and e2e runs of the same
// invocation rather than running them twice).
const restSeconds = Number(process.env.BENCH_REST_SECONDS ?? 15);
let lastIngest: Awaited<ReturnType<typeof runIngestScenario>> | undefined;
let lastEndToEnd: EndToEndRun[] | undefined;

const dedupeWaitLabels: Record<DedupeWaitMode, string> = {
  none: 'baseline: no WAIT',
  'claims-connection': "WAIT 1 on the claims' connection (before)",
  'own-connections': 'check + WAIT 1, own connections',
};

const scenarios = {
  ingest: async () => {
    console.log(
      '\ningest: simulator → 1 gateway process (4 shards) → the events lane, no workers (30,000 MESSAGE_CREATE offered at 15,000/s)',
    );
    const result = await runIngestScenario();
    lastIngest = result;
    console.table({
      ...Object.fromEntries(
        result.runs.map((run) => [
          `gateway, transport compression ${run.compression}`,
          {
            'events/s': Math.round(run.perSecond),
            'gateway CPU-s per 100k': run.gatewayCpuSecondsPer100k.toFixed(2),
            'Redis bytes per waiting event': Math.round(run.redisBytesPerWaitingEvent),
            'vs raw XADD': (run.perSecond / result.baselineXaddPerSecond).toFixed(2),
          },
        ]),
      ),
      'baseline: raw pipelined XADD from Node (100 per pipeline, 4 in flight)': {
        'events/s': Math.round(result.baselineXaddPerSecond),
      },
    });
    console.log(`ingest: mean event payload ${Math.round(result.payloadBytes)} bytes`);
    return result;
  },
  e2e: async () => {
    console.log(
      '\ne2e: simulator → gateway → Redis → consumer processes → trivial handler (4 uncompressed shards)\n' +
        `  drain: a ${backlogEvents.toLocaleString('en')}-event backlog filled by the gateway alone, drained by the consumers\n` +
        `  live: ${liveEvents.toLocaleString('en')} MESSAGE_CREATE offered at ${offeredPerSecond.toLocaleString('en')}/s (more than any path takes), first sent → last handled`,
    );
    const result = await runEndToEndScenario();
    lastEndToEnd = result.runs;
    const pathName = {
      project: 'this project',
      naive: 'baseline: BullMQ, a job per event',
      brokers: 'baseline: @discordjs/brokers',
    };
    console.table(
      Object.fromEntries(
        result.runs.map((run) => [
          `${pathName[run.path]} × ${run.consumers}${run.redis === 'cluster' ? ' on a 3-primary Redis Cluster' : ''}`,
          {
            'live events/s': Math.round(run.perSecond),
            'drain events/s': Math.round(run.drainPerSecond),
            'drain CPU-s/100k': run.drainConsumerCpuPer100k,
            'offered/s': Math.round(run.offeredPerSecond),
            'CPU-s/100k sim·gw·consumers·redis': `${run.cpuPer100k.simulator} · ${run.cpuPer100k.gateway} · ${run.cpuPer100k.consumers} · ${run.cpuPer100k.redis}`,
            'consumer RSS rest → peak MiB': `${run.consumerRssAtRestMiB.join('/')} → ${run.consumerRssPeakMiB.join('/')}`,
          },
        ]),
      ),
    );
    console.log(
      `e2e: 2 workers vs naive BullMQ: live ${result.ratios.liveVsNaive.toFixed(2)}×, drain ${result.ratios.drainVsNaive.toFixed(2)}×; ` +
        `vs @discordjs/brokers: live ${result.ratios.liveVsBrokers.toFixed(2)}×, drain ${result.ratios.drainVsBrokers.toFixed(2)}×`,
    );
    console.log(
      `e2e: 2 workers on a local 3-primary Redis Cluster vs single Redis (same machine, same run): live ${result.ratios.liveClusterVsSingle.toFixed(2)}×, drain ${result.ratios.drainClusterVsSingle.toFixed(2)}×, workers' CPU per event drained ${result.ratios.drainCpuClusterVsSingle.toFixed(2)}×, live ${result.ratios.liveCpuClusterVsSingle.toFixed(2)}×`,
    );
    return result;
  },
  simulator: async () => {
    const result = await runSimulatorScenario([10_000, 20_000, 40_000]);
    console.log('\nsimulator: start-up (median of 3)');
    console.table({
      'simulator process (20 guilds, as npm start)': { ms: Math.round(result.startupMs.simulator20Guilds) },
      'simulator process (20,000 guilds)': { ms: Math.round(result.startupMs.simulator20000Guilds) },
      'baseline: bare node + tsx': { ms: Math.round(result.startupMs.bareNode) },
    });
    console.log(`simulator: generated MESSAGE_CREATE delivered to 16 connected shards (${5} s each)`);
    console.table(
      result.throughput.map((row) => ({
        'target events/s': row.targetPerSecond,
        'simulator events/s': Math.round(row.simulatorPerSecond),
        'baseline (bare ws fan-out) events/s': Math.round(row.baselinePerSecond),
        'simulator / baseline': (row.simulatorPerSecond / row.baselinePerSecond).toFixed(2),
      })),
    );
    return result;
  },
  rest: async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const base = {
      processes: 4,
      // 15 s per run keeps `npm run bench` under 10 minutes on a slow 2-core machine;
      // BENCH_REST_SECONDS=30 gives the REST issue's.
      durationMs: restSeconds * 1_000,
      globalPerSecond: 50,
      bucketLimit: 5,
      bucketWindowMs: 1_000,
      overload: 2,
      redisUrl,
    };
    console.log(
      `\nrest: 4 processes offering 2× the limit for ${restSeconds} s (simulator: global 50/s, bucket 5/s)`,
    );
    const runs = {
      'bucket, shared limits': await runRestLoad({ ...base, shared: true, target: 'bucket' }),
      'bucket, plain @discordjs/rest (baseline)': await runRestLoad({
        ...base,
        shared: false,
        target: 'bucket',
      }),
      'global, shared limits': await runRestLoad({ ...base, shared: true, target: 'global' }),
      'global, plain @discordjs/rest (baseline)': await runRestLoad({
        ...base,
        shared: false,
        target: 'global',
      }),
      [`global, shared, one process kill -9 at ${restSeconds / 2} s`]: await runRestLoad({
        ...base,
        shared: true,
        target: 'global',
        killOneAtMs: (restSeconds / 2) * 1_000,
      }),
    };
    console.table(
      Object.fromEntries(
        Object.entries(runs).map(([name, run]) => {
          const allowed = run.target === 'global' ? run.allowedGlobalPerSecond : run.allowedBucketPerSecond;
          const achieved =
            run.target === 'global' ? run.achievedGlobalPerSecond : run.achievedBucketPerSecond;
          return [
            name,
            {
              'achieved/s': achieved.toFixed(2),
              'of allowed': `${((achieved / allowed) * 100).toFixed(1)} %`,
              '2nd half/s': run.achievedPerSecondSecondHalf.toFixed(2),
              '429 user': run.rateLimited.user,
              '429 global': run.rateLimited.global,
              '429 shared': run.rateLimited.shared,
            },
          ];
        }),
      ),
    );
    const latency = await measureCallbackLatency({ redisUrl, samples: 200, banCount: 1_000 });
    console.log(
      'rest: interaction callback latency, idle vs during a 1,000-member mass ban on the same client',
    );
    console.table({
      idle: { p50: latency.idle.p50, p99: latency.idle.p99, samples: latency.idle.samples },
      'during mass ban': {
        p50: latency.duringMassBan.p50,
        p99: latency.duringMassBan.p99,
        samples: latency.duringMassBan.samples,
      },
      'ratio (mass ban / idle)': {
        p50: (latency.duringMassBan.p50 / latency.idle.p50).toFixed(2),
        p99: (latency.duringMassBan.p99 / latency.idle.p99).toFixed(2),
        samples: latency.duringMassBan.bansServed,
      },
    });
    return { runs, latency };
  },
  cluster: async () => {
    console.log('\ncluster: failover after kill -9, and a 64-shard start');
    const failover = await runFailover();
    const startup = await runStartup();
    console.table({
      [`kill -9 of 1 of 3 gateways (12 shards, lease TTL ${failover.leaseTtlMs / 1_000} s): its ${failover.shards} shards resumed elsewhere`]:
        {
          ms: failover.failoverMs,
          'vs TTL + 2 s': `${((failover.failoverMs / (failover.leaseTtlMs + 2_000)) * 100).toFixed(0)} %`,
          'identifies spent': failover.identifiesSpent,
        },
      [`${startup.shardCount} shards, max_concurrency ${startup.maxConcurrency}, ${startup.processes} processes started together: all READY`]:
        {
          ms: `${startup.readyMs} from spawn, ${startup.readyAfterFirstIdentifyMs} from the first IDENTIFY`,
          'vs theoretical minimum': `${(startup.readyAfterFirstIdentifyMs / startup.theoreticalMinimumMs).toFixed(2)}× of ${startup.theoreticalMinimumMs} ms`,
          'concurrency violations': startup.identifyConcurrencyViolations,
        },
    });
    return { failover, startup };
  },
  reshard: async () => {
    console.log(
      `\nreshard: 4 → 8 shards across 3 gateways (max_concurrency 4, 1 worker) under ${reshardPerSecond.toLocaleString('en')} MESSAGE_CREATE/s; baseline: the same flow for ${reshardBaselineSeconds} s without a reshard (BENCH_RESHARD_RATE, BENCH_RESHARD_BASELINE_SECONDS)`,
    );
    const result = await runReshardScenario();
    console.log(
      `reshard: ${result.outcome} ${result.switchSeconds.toFixed(1)} s after the command (theoretical minimum ${result.theoreticalMinimumSeconds} s, ${(result.switchSeconds / result.theoreticalMinimumSeconds).toFixed(2)}×; the issue's limit ${result.limitSeconds} s); phases seen at ${JSON.stringify(result.phasesAtMs)} ms; ${result.identifiesSpent} identifies spent, ${result.identifyConcurrencyViolations} identify-concurrency violations; holding sets published ${result.publishedUndecided} events undecided`,
    );
    const row = (figures: typeof result.baseline) => ({
      sent: figures.sent,
      'handled once': figures.handled - figures.handledTwice,
      lost: figures.lost,
      'handled twice': figures.handledTwice,
      'doubles dropped by dedupe': figures.duplicatesDropped,
      'events/s': figures.eventsPerSecond,
      'latency p50 / p99 / max ms': `${figures.p50LatencyMs} / ${figures.p99LatencyMs} / ${figures.maxLatencyMs}`,
    });
    console.table({
      'during the reshard (command − 1 s to switch + 1 s)': row(result.reshard),
      'baseline: no reshard': row(result.baseline),
    });
    return result;
  },
  sessions: async () => {
    console.log(
      '\nsessions: Redis writes for session tracking while 1 gateway (4 shards) forwards 5,000 events/s',
    );
    const result = await runSessionWrites();
    console.table({
      'writes to session keys': {
        'events/s': Math.round(result.eventsPerSecond),
        'writes/s': result.sessionWritesPerSecond.toFixed(1),
        'per 1,000 events': result.writesPer1000Events.toFixed(2),
      },
    });
    return result;
  },
  'dedupe-wait': async () => {
    console.log(
      "\ndedupe-wait: a worker's dedupe claim + done mark per job (8 jobs in flight) against a primary with one replica,\n" +
        "  baseline without WAIT, WAIT 1 on the claims' connection (the former WORKER_DEDUPE_WAIT_REPLICAS=1) and the\n" +
        '  replication checks (check + WAIT 1 on connections of their own, shared by the jobs waiting together),\n' +
        "  same servers, same run; ping p99: a PING every 5 ms on the claims' connection",
    );
    const runs = await runDedupeWait();
    console.table(
      Object.fromEntries(
        runs.map((run) => [
          `${run.eventsPerBatch} event(s) per job, ${dedupeWaitLabels[run.mode]}`,
          {
            'jobs/s': Math.round(run.batchesPerSecond),
            'events/s': Math.round(run.eventsPerSecond),
            'p50 ms': run.p50Ms.toFixed(2),
            'p99 ms': run.p99Ms.toFixed(2),
            'ping p99 ms': run.pingP99Ms.toFixed(2),
          },
        ]),
      ),
    );
    return runs;
  },
  memory: async () => {
    console.log(
      '\nmemory: gateway RSS by shards and guilds; Redis bytes per waiting event; worker RSS; gateway, worker and scheduler RSS compiled vs tsx',
    );
    const gateway = await runGatewayMemory();
    const compiled = await runCompiledMemory();
    const ingest = lastIngest?.runs.find((run) => run.compression === 'none') ?? (await runIngest('none'));
    const workers =
      lastEndToEnd?.find((run) => run.path === 'project' && run.consumers === 2) ??
      (await runEndToEnd('project', 2));
    console.table({
      ...Object.fromEntries(
        Object.entries(gateway.rssMiB).map(([name, mib]) => [
          `gateway RSS, ${name}`,
          { value: `${mib} MiB` },
        ]),
      ),
      'gateway RSS per shard': { value: `${gateway.perShardMiB} MiB` },
      'gateway RSS per 1,000 guilds': { value: `${gateway.per1000GuildsMiB} MiB` },
      'Redis bytes per waiting event (batched jobs)': { value: Math.round(ingest.redisBytesPerWaitingEvent) },
      'worker RSS at rest (2 workers)': { value: `${workers.consumerRssAtRestMiB.join(' / ')} MiB` },
      [`worker RSS peak under ${Math.round(workers.perSecond)} events/s`]: {
        value: `${workers.consumerRssPeakMiB.join(' / ')} MiB`,
      },
      ...Object.fromEntries(
        Object.entries(compiled).map(([role, rss]) => [
          `${role} RSS, compiled build vs tsx (${compiledMemoryEventsPerSecond} events/s, example bot)`,
          { value: `${rss.compiledMiB} MiB vs ${rss.tsxMiB} MiB (${rss.ratio.toFixed(2)}×)` },
        ]),
      ),
    });
    return { gateway, redisBytesPerWaitingEvent: ingest.redisBytesPerWaitingEvent, workers, compiled };
  },
  cache: async () => {
    console.log(
      '\ncache: the shared state cache — ingest with it on vs off (1 gateway, 4 shards, MESSAGE_CREATE offered at 15,000/s, 1 event in 10 a guild, channel, role or member change), Redis bytes, and RSS of what holds the world as guilds grow 16× (16 shards)',
    );
    const result = await runCacheScenario();
    const { on, off, ratio, cpuRatio } = result.ingest;
    console.table({
      'gateway, default cache (guilds, channels, roles)': {
        'events/s': Math.round(on.perSecond),
        'gateway CPU-s per 100k': on.gatewayCpuSecondsPer100k.toFixed(2),
        'state changes offered': on.stateChangesOffered,
      },
      'baseline: gateway, CACHE_ENTITIES=none': {
        'events/s': Math.round(off.perSecond),
        'gateway CPU-s per 100k': off.gatewayCpuSecondsPer100k.toFixed(2),
        'state changes offered': off.stateChangesOffered,
      },
    });
    console.log(
      `cache: ingest with the cache on / off: ${(ratio * 100).toFixed(0)} % of the events/s, ${(cpuRatio * 100).toFixed(0)} % of the events per gateway CPU-second (target ≥ 80 %)`,
    );
    console.log(
      `cache: Redis bytes per guild (${result.bytes.shape}, its share of the channel index included) ${result.bytes.bytesPerGuild}; per cached member ${result.bytes.bytesPerMember} (${result.bytes.guilds} guilds, MEMORY USAGE)`,
    );
    console.table(
      Object.fromEntries(
        result.memory.map((run) => [
          `${run.holder}, ${run.guildCount.toLocaleString('en')} guilds`,
          {
            'peak RSS MiB': run.peakMiB,
            'settled RSS MiB': run.settledMiB,
            'world held after ms': run.burstMs,
          },
        ]),
      ),
    );
    console.table(result.growth);
    // What the RSS is made of, read inside each process (`process.memoryUsage()`).
    console.table(
      Object.fromEntries(
        result.memory.flatMap((run) =>
          (
            [
              ['at peak', run.peakBreakdown],
              ['settled', run.settledBreakdown],
            ] as const
          ).map(([when, breakdown]) => [
            `${run.holder}, ${run.guildCount.toLocaleString('en')} guilds, ${when}`,
            breakdown
              ? {
                  'V8 heap MiB': breakdown.heapTotal,
                  'heap used MiB': breakdown.heapUsed,
                  'external MiB': breakdown.external,
                  'array buffers MiB': breakdown.arrayBuffers,
                  'other MiB': breakdown.other,
                }
              : {},
          ]),
        ),
      ),
    );
    return result;
  },
  interactions: async () => {
    console.log(
      `\ninteractions: /ping every ${pingEveryMs} ms, ${interactionSamples.toLocaleString('en')} samples per condition in ${interactionBlocks} alternating idle and loaded blocks (each loaded block after 1 s of steady load), simulator INTERACTION_CREATE → callback received (1 interactions worker, 2 event workers at WORKER_NICE=10)`,
    );
    const result = await runInteractionScenario();
    console.table({
      idle: result.idle,
      [`under ${result.backgroundPerSecond.toLocaleString('en')} MESSAGE_CREATE/s`]: result.loaded,
    });
    console.log(
      `interactions: p99 under load / idle ${result.p99Ratio.toFixed(2)}×; background events handled during the run: ${result.backgroundHandledDuringRun}`,
    );
    return result;
  },
  'pg-outage': async () => {
    console.log(
      `\npg-outage: PostgreSQL stopped ${pgOutageSeconds} s under ${pgOutagePerSecond.toLocaleString('en')} MESSAGE_CREATE/s (tests/src/chaos/postgres-outage.test.ts at full size; BENCH_PG_OUTAGE_SECONDS, BENCH_PG_OUTAGE_RATE)`,
    );
    const result = await runPgOutage();
    console.log(`pg-outage: ${result.measure ?? 'no figures printed'}`);
    return result;
  },
  soak: async () => {
    console.log(
      `\nsoak: ${soakSeconds} s of ${soakPerSecond.toLocaleString('en')} MESSAGE_CREATE/s through 1 gateway (4 shards) and 2 workers, one worker restarted every ${soakRestartEverySeconds} s (BENCH_SOAK_SECONDS, BENCH_SOAK_RATE, BENCH_SOAK_RESTART_SECONDS)`,
    );
    const result = await runSoak();
    console.table({
      'gateway RSS MiB': result.gatewayRssMiB,
      'worker RSS MiB (mean of 2)': result.workerRssMiB,
      'Redis used memory MiB': result.redisMiB,
      'lag, events sent not yet handled': result.lagEvents,
      'lag, seconds at the offered rate': result.lagSeconds,
    });
    console.log(
      `soak: ${result.sent} sent, ${result.handled} handled (${result.lost} lost, ${result.duplicates} duplicates) across ${result.restarts} worker restarts; backlog drained ${result.drainMs} ms after traffic stopped`,
    );
    const retentionMs = Number(process.env.DEDUPE_RETENTION_MS ?? 3_600_000);
    console.log(
      `soak: Redis grew ${result.redisBytesPerHandledEvent} bytes per handled event (dedupe marks, kept DEDUPE_RETENTION_MS = ${retentionMs / 60_000} min): steady size at ${soakPerSecond.toLocaleString('en')}/s ≈ ${((result.redisBytesPerHandledEvent * soakPerSecond * (retentionMs / 1_000)) / 2 ** 30).toFixed(2)} GiB above the start`,
    );
    return result;
  },
} as const;

type ScenarioName = keyof typeof scenarios;

/**
 * Scenarios that run in one benchmark process: `memory` reports figures of the `ingest` and `e2e` runs
 * before it. Every other scenario gets a fresh process of its own, because the benchmark process hosts the
 * simulator: after the end-to-end runs its heap was larger, its collector paused longer, and those pauses
 * fell into the interaction round trips it times (simulator loop delay p99 12 ms at the end of a full run,
 * 8–10 ms when run alone).
 */
const processGroups: readonly (readonly ScenarioName[])[] = [
  ['ingest', 'e2e', 'memory'],
  ['simulator'],
  ['rest'],
  ['cluster'],
  ['sessions'],
  ['reshard'],
  ['dedupe-wait'],
  ['interactions'],
  ['cache'],
  ['pg-outage'],
  ['soak'],
];
const ungrouped = Object.keys(scenarios).filter(
  (name) => !processGroups.some((group) => group.includes(name as ScenarioName)),
);
if (ungrouped.length > 0) throw new Error(`scenarios missing from processGroups: ${ungrouped.join(', ')}`);

/** Runs `names` in this process and returns their results and seconds. */
async function runHere(names: readonly ScenarioName[]) {
  const results: Record<string, unknown> = {};
  const seconds: Record<string, number> = {};
  for (const name of names) {
    const started = performance.now();
    results[name] = await scenarios[name]();
    seconds[name] = Math.round((performance.now() - started) / 100) / 10;
    console.log(`${name}: ${seconds[name]} s`);
  }
  return { results, seconds };
}

/** Runs `names` in a child benchmark process (same Node flags), which prints its tables as it goes. */
async function runInChild(names: readonly ScenarioName[]) {
  const directory = await mkdtemp(join(tmpdir(), 'dgc-bench-'));
  const resultFile = join(directory, 'results.json');
  try {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', ...names], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_CHILD_RESULT_FILE: resultFile },
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`bench ${names.join(', ')} exited with ${signal ?? code}`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as Awaited<ReturnType<typeof runHere>>;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const requested = process.argv.slice(2).filter((arg) => arg !== '--');
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; available: ${Object.keys(scenarios).join(', ')}`,
  );
  process.exit(2);
}
const selected = (requested.length > 0 ? requested : Object.keys(scenarios)) as ScenarioName[];
const childResultFile = process.env.BENCH_CHILD_RESULT_FILE;
if (childResultFile) {
  await writeFile(childResultFile, JSON.stringify(await runHere(selected)));
} else {
  const results: Record<string, unknown> = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  };
  const seconds: Record<string, number> = {};
  for (const group of processGroups) {
    const names = group.filter((name) => selected.includes(name));
    if (names.length === 0) continue;
    const run = selected.length === names.length ? await runHere(names) : await runInChild(names);
    Object.assign(results, run.results);
    Object.assign(seconds, run.seconds);
  }
  results.seconds = seconds;
  const resultsDir = resolve(import.meta.dirname, '../results');
  await mkdir(resultsDir, { recursive: true });
  const file = resolve(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${file}`);
}
