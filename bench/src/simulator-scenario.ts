import { resolve } from 'node:path';
import { ManagedProcess } from '@dgc/dev-tools/supervision';
import { freePort } from '@dgc/dev-tools/testing';

export interface SimulatorScenarioResult {
  startupMs: { simulator20Guilds: number; simulator20000Guilds: number; bareNode: number };
  throughput: { targetPerSecond: number; simulatorPerSecond: number; baselinePerSecond: number }[];
}

const root = resolve(import.meta.dirname, '../..');
const token = 'YmVuY2htYXJrLWJvdA.bench.simulator-benchmark-token-local-only';
const shardCount = 16;
const measureSeconds = 5;

function start(name: string, args: string[]) {
  return ManagedProcess.start({
    name,
    cwd: root,
    args,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
  });
}

/** Events/s the client process counts over `measureSeconds`, after a one-second warm-up. */
async function measureReceived(clients: ManagedProcess): Promise<number> {
  const counts: number[] = [];
  const parse = (line: string) => {
    try {
      const value = (JSON.parse(line) as { received?: number }).received;
      return typeof value === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const seen = clients.lines.length;
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const values = clients.lines
        .slice(seen)
        .map(parse)
        .filter((value) => value !== undefined);
      if (values.length >= measureSeconds + 2) {
        clearInterval(timer);
        counts.push(...values);
        done();
      }
    }, 100);
  });
  const first = counts[1] ?? 0;
  const last = counts[measureSeconds + 1] ?? first;
  return (last - first) / measureSeconds;
}

async function timeStartup(args: string[], readyText: string): Promise<number> {
  const startedAt = performance.now();
  const process_ = start('startup', args);
  await process_.waitForLine((line) => line.includes(readyText), 10_000);
  const elapsed = performance.now() - startedAt;
  await process_.stop('SIGTERM', 5_000);
  return elapsed;
}

export async function runSimulatorScenario(rates: readonly number[]): Promise<SimulatorScenarioResult> {
  const simulatorArgs = (port: number, guilds = 20_000) => [
    '--conditions=source',
    '--import',
    'tsx',
    'packages/discord-simulator/src/main.ts',
    '--port',
    String(port),
    '--shards',
    String(shardCount),
    '--guilds',
    String(guilds),
    '--max-concurrency',
    String(shardCount),
    '--token',
    token,
  ];
  const startupRuns = [];
  const smallStartupRuns = [];
  const bareRuns = [];
  for (let run = 0; run < 3; run += 1) {
    startupRuns.push(await timeStartup(simulatorArgs(await freePort()), 'listening'));
    smallStartupRuns.push(await timeStartup(simulatorArgs(await freePort(), 20), 'listening'));
    bareRuns.push(
      await timeStartup(
        ['--import', 'tsx', '-e', 'console.log("listening"); setInterval(() => {}, 1000)'],
        'listening',
      ),
    );
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

  const throughput: SimulatorScenarioResult['throughput'] = [];
  for (const rate of rates) {
    const simulatorPort = await freePort();
    const simulator = start('simulator', simulatorArgs(simulatorPort));
    await simulator.waitForLine((line) => line.includes('listening'), 10_000);
    const simClients = start('clients', [
      '--import',
      'tsx',
      'bench/src/shard-clients.ts',
      `ws://127.0.0.1:${simulatorPort}/gateway`,
      token,
      String(shardCount),
    ]);
    await simClients.waitForLine((line) => line.includes('"ready"'), 30_000);
    await fetch(`http://127.0.0.1:${simulatorPort}/_simulator/traffic`, {
      method: 'POST',
      body: JSON.stringify({ eventsPerSecond: rate, mix: 'MESSAGE_CREATE=100' }),
    });
    const simulatorPerSecond = await measureReceived(simClients);
    await Promise.all([simClients.stop(), simulator.stop()]);

    const baseline = start('baseline', ['--import', 'tsx', 'bench/src/raw-ws-baseline.ts', '0']);
    const portLine = await baseline.waitForLine((line) => line.includes('"port"'), 10_000);
    const baselinePort = (JSON.parse(portLine) as { port: number }).port;
    const baseClients = start('clients', [
      '--import',
      'tsx',
      'bench/src/shard-clients.ts',
      `ws://127.0.0.1:${baselinePort}`,
      token,
      String(shardCount),
    ]);
    await baseClients.waitForLine((line) => line.includes('"ready"'), 30_000);
    await fetch(`http://127.0.0.1:${baselinePort}/rate?eventsPerSecond=${rate}`, { method: 'POST' });
    const baselinePerSecond = await measureReceived(baseClients);
    await Promise.all([baseClients.stop(), baseline.stop()]);
    throughput.push({ targetPerSecond: rate, simulatorPerSecond, baselinePerSecond });
  }
  return {
    startupMs: {
      simulator20Guilds: median(smallStartupRuns),
      simulator20000Guilds: median(startupRuns),
      bareNode: median(bareRuns),
    },
    throughput,
  };
}
