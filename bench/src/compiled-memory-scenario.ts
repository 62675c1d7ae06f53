import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCompiledRuntime,
  migrateWithCompiledRole,
  startCompiledRole,
} from '@dgc/dev-tools/compiled-build';
import { type ManagedProcess, startApp } from '@dgc/dev-tools/supervision';
import { BenchCluster, percentile } from './harness/bench-cluster.js';
import { mebibytes, rssBytes } from './harness/process-stats.js';

const roles = ['gateway', 'worker', 'scheduler'] as const;
type Role = (typeof roles)[number];
export const compiledMemoryEventsPerSecond = 1_000;

/** How a role is started: through tsx from the TypeScript sources (as npm start and the tests do), or compiled. */
type Launcher = (role: Role, env: NodeJS.ProcessEnv) => Promise<ManagedProcess>;

/**
 * RSS of gateway, worker and scheduler started the way production starts them (the compiled build, staged
 * by the Dockerfile's build script, plain node) beside the same processes under tsx, in the same run and
 * the same configuration: 4 shards, 1,000 guilds, the example bot (the compiled worker cannot load the
 * bench's TypeScript bot, so both run the bot the image ships), MESSAGE_CREATE at 1,000/s.
 */
export async function runCompiledMemory() {
  const runtime = await buildCompiledRuntime(await mkdtemp(join(tmpdir(), 'dgc-bench-compiled-')));
  try {
    const compiled = await rolesRss(runtime.runtimeFolder, 'compiled', (role, env) =>
      startCompiledRole(runtime.runtimeFolder, role, env, role, 90_000),
    );
    const tsx = await rolesRss(runtime.runtimeFolder, 'tsx', (role, env) =>
      startApp(role, env, role, 90_000),
    );
    return Object.fromEntries(
      roles.map((role) => [
        role,
        {
          compiledMiB: mebibytes(compiled[role]),
          tsxMiB: mebibytes(tsx[role]),
          ratio: compiled[role] / tsx[role],
        },
      ]),
    ) as Record<Role, { compiledMiB: number; tsxMiB: number; ratio: number }>;
  } finally {
    await runtime.remove();
  }
}

/** Each role's median RSS over 2 s of traffic, after 1 s of warm-up, started by `launch`. */
async function rolesRss(
  runtimeFolder: string,
  label: string,
  launch: Launcher,
): Promise<Record<Role, number>> {
  const cluster = await BenchCluster.start(`memory-${label}`, { shardCount: 4, guildCount: 1_000 });
  try {
    // The example bot, as the image runs it when WORKER_BOT_MODULE is unset; its tables come from the
    // image's migrate role (the runtime's are already applied).
    const { WORKER_BOT_MODULE: _benchBot, ...env } = cluster.env;
    await migrateWithCompiledRole(runtimeFolder, env);
    for (const role of roles) cluster.processes.push(await launch(role, env));
    const traffic = cluster.simulator.startTraffic({
      eventsPerSecond: compiledMemoryEventsPerSecond,
      mix: { MESSAGE_CREATE: 1 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const readings = roles.map((): number[] => []);
    for (let reading = 0; reading < 20; reading += 1) {
      await Promise.all(
        cluster.processes.map(async (service, index) => {
          readings[index]?.push(await rssBytes(service.pid ?? 0));
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    traffic.stop();
    return Object.fromEntries(
      roles.map((role, index) => [
        role,
        percentile(
          (readings[index] ?? []).sort((left, right) => left - right),
          0.5,
        ),
      ]),
    ) as Record<Role, number>;
  } finally {
    await cluster.close();
  }
}
