import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCompiledRuntime,
  type CompiledRuntime,
  migrateWithCompiledRole,
  startCompiledRole,
} from '@dgc/dev-tools/compiled-build';
import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsQueueProbe } from '../support/queue-inspection.js';
import {
  freePort,
  redisUrl,
  repositoryRoot,
  simulatorToken,
  stopServices,
  uniqueKeyPrefix,
} from '../support/services.js';
import { createOutsideBot } from './support/outside-bot.js';

/**
 * The compiled build as production runs it: scripts/production/build-production.sh (the Dockerfile's build
 * stage) builds a copy of this working tree and stages the runtime with production dependencies only; every
 * role then starts from that folder with plain `node` against the simulator. One build serves both parts of
 * this file (the cluster, then a team's bot from outside the workspaces), as it is the slow step.
 */
let runtime: CompiledRuntime;
let simulator: DiscordSimulator;
let database: TestDatabase;
let workFolder: string;
const probes: EventsQueueProbe[] = [];
const running = new Set<ManagedProcess>();

beforeAll(async () => {
  workFolder = await mkdtemp(join(tmpdir(), 'dgc-compiled-build-'));
  [runtime, simulator, database] = await Promise.all([
    buildCompiledRuntime(join(workFolder, 'build')),
    DiscordSimulator.start({ token: simulatorToken, shardCount: 2, guildCount: 6, seed: 25 }),
    // Empty: the image's migrate role brings it to the schema.
    createTestDatabase('compiled_build'),
  ]);
}, 300_000);

afterAll(async () => {
  await stopServices([...running]);
  await simulator?.stop();
  await Promise.all(probes.map((probe) => probe.removeAndClose()));
  await database?.drop();
  await rm(workFolder, { recursive: true, force: true });
});

/** The environment every role gets: this file's simulator, database and a fresh Redis key prefix. */
function clusterEnv(label: string): NodeJS.ProcessEnv {
  const keyPrefix = uniqueKeyPrefix(label);
  probes.push(new EventsQueueProbe(keyPrefix));
  return {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    DISCORD_TOKEN: simulatorToken,
    DISCORD_API_URL: simulator.restUrl,
    GATEWAY_SHARD_COUNT: '2',
  };
}

/** A role's command line as the kernel has it: the compiled launcher, no TypeScript loader, no source condition. */
function commandLine(service: ManagedProcess): string[] {
  return readFileSync(`/proc/${service.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

async function startRoles(
  env: NodeJS.ProcessEnv,
  roles: readonly ('gateway' | 'worker' | 'scheduler' | 'dashboard')[],
) {
  const services = await Promise.all(
    roles.map((role) => startCompiledRole(runtime.runtimeFolder, role, env, role, 60_000)),
  );
  for (const service of services) running.add(service);
  return services;
}

async function stopRoles(services: readonly ManagedProcess[]) {
  for (const service of services) running.delete(service);
  return stopServices(services);
}

describe('the compiled build', () => {
  it('stages compiled code with its Lua scripts, Prisma clients and migrations, and production dependencies only', () => {
    const staged = (path: string) => join(runtime.runtimeFolder, path);
    const installed = readdirSync(staged('node_modules')).flatMap((entry) =>
      entry.startsWith('@')
        ? readdirSync(staged(`node_modules/${entry}`)).map((name) => `${entry}/${name}`)
        : [entry],
    );
    for (const developmentOnly of [
      '@dgc/discord-simulator',
      '@dgc/dev-tools',
      'vitest',
      'tsx',
      'typescript',
      'prisma',
    ]) {
      expect(installed).not.toContain(developmentOnly);
    }
    expect(installed).toEqual(
      expect.arrayContaining(['@dgc/worker', '@dgc/starter-bot', 'bullmq', '@prisma/client']),
    );
    const roles = JSON.parse(readFileSync(staged('scripts/production/production-roles.json'), 'utf8')) as {
      roles: Record<string, string>;
    };
    for (const entry of Object.values(roles.roles)) expect(existsSync(staged(entry)), entry).toBe(true);
    const luaScripts = (folder: string) =>
      readdirSync(folder)
        .filter((file) => file.endsWith('.lua'))
        .sort();
    expect(luaScripts(staged('packages/shared/dist/redis/scripts'))).toEqual(
      luaScripts(join(repositoryRoot, 'packages/shared/src/redis/scripts')),
    );
    for (const workspace of ['packages/shared', 'examples/starter-bot']) {
      expect(readdirSync(staged(`${workspace}/prisma/migrations`))).toEqual(
        readdirSync(join(repositoryRoot, workspace, 'prisma/migrations')),
      );
      expect(existsSync(staged(`${workspace}/dist/generated/prisma/client.js`)), workspace).toBe(true);
    }
  });

  it('migrates the database with the migrate role', { timeout: 90_000 }, async () => {
    const output = await migrateWithCompiledRole(runtime.runtimeFolder, { DATABASE_URL: database.url });
    expect(output.join('\n')).toMatch(/applied: /);
  });

  it('runs gateway, worker, scheduler and dashboard with plain node: a /ping round trip, then exit 0 on SIGTERM', {
    timeout: 180_000,
  }, async () => {
    const env = { ...clusterEnv('compiled'), DASHBOARD_PORT: String(await freePort()) };
    const services = await startRoles(env, ['worker', 'gateway', 'scheduler', 'dashboard']);
    for (const service of services) {
      expect(commandLine(service).slice(1)).toEqual(['scripts/production/start-role.mjs', service.name]);
    }
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    const callback = await simulator.waitForInteractionResponse(interaction.id, 20_000);
    expect(callback.status).toBe(204);
    expect((callback.requestBody as { data: { content: string } }).data.content).toMatch(
      /^Pong! gateway→worker/,
    );
    expect((await fetch(`http://127.0.0.1:${env.DASHBOARD_PORT}/api/overview`)).status).toBe(200);
    expect(await stopRoles(services)).toEqual({ worker: 0, gateway: 0, scheduler: 0, dashboard: 0 });
  });
});

describe("a team's bot outside the workspaces", () => {
  it('installs the packed SDK and runs in the compiled worker through WORKER_BOT_MODULE', {
    timeout: 180_000,
  }, async () => {
    const bot = await createOutsideBot(runtime.sourceCopy, join(workFolder, 'team-bot'));
    expect(bot.folder.startsWith(repositoryRoot)).toBe(false);
    // The bot's SDK is its own install from the tarball, not a link into this repository.
    const sdk = join(bot.folder, 'node_modules/@dgc/bot-sdk');
    expect(lstatSync(sdk).isSymbolicLink()).toBe(false);
    expect(readdirSync(sdk)).toContain('dist');
    expect(readdirSync(sdk)).not.toContain('src');
    const env = { ...clusterEnv('outside-bot'), WORKER_BOT_MODULE: bot.module };
    await migrateWithCompiledRole(runtime.runtimeFolder, env);
    const services = await startRoles(env, ['worker', 'gateway']);
    const interaction = simulator.injectInteraction({ commandName: 'hello' });
    const callback = await simulator.waitForInteractionResponse(interaction.id, 20_000);
    expect(callback.status).toBe(204);
    expect((callback.requestBody as { data: { content: string } }).data.content).toBe(
      'Hello from the team bot',
    );
    expect(await stopRoles(services)).toEqual({ worker: 0, gateway: 0 });
  });
});
