import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type AppKind, launchApp, type ManagedProcess, startApp } from '@dgc/dev-tools/supervision';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedisServer } from './support/redis-server.js';
import { freePort, repositoryRoot, simulatorToken, uniqueKeyPrefix } from './support/services.js';

const run = promisify(execFile);

const postgresUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

describe('Redis settings that would lose data', () => {
  let simulator: DiscordSimulator;
  let evicting: TestRedisServer;
  let configHidden: TestRedisServer;
  const started: ManagedProcess[] = [];

  beforeAll(async () => {
    [simulator, evicting, configHidden] = await Promise.all([
      DiscordSimulator.start({ token: simulatorToken, shardCount: 1, guildCount: 2, seed: 7 }),
      TestRedisServer.start({ config: ['maxmemory-policy allkeys-lru'] }),
      // A managed Redis often renames CONFIG away; the policy cannot be read, so it is not trusted either.
      TestRedisServer.start({ config: ['maxmemory-policy allkeys-lru', 'rename-command CONFIG ""'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(started.map((process) => process.stop('SIGTERM', 10_000)));
    await Promise.all([simulator?.stop(), evicting?.stop(), configHidden?.stop()]);
  });

  const environment = async (redisUrl: string): Promise<NodeJS.ProcessEnv> => ({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: uniqueKeyPrefix('unsafe-redis'),
    DATABASE_URL: postgresUrl,
    DISCORD_TOKEN: simulatorToken,
    DISCORD_API_URL: simulator.restUrl,
    DASHBOARD_PORT: String(await freePort()),
  });

  it.each(['gateway', 'worker', 'scheduler', 'dashboard'] as AppKind[])(
    '%s exits 78 naming maxmemory-policy when Redis may evict keys',
    async (kind) => {
      const process = launchApp(kind, await environment(evicting.url));
      started.push(process);
      const exit = await process.exited;
      const output = process.lines.join('\n');
      expect(exit.code, output).toBe(78);
      expect(output).toContain('maxmemory-policy allkeys-lru');
      expect(output).toContain('maxmemory-policy noeviction');
    },
  );

  it('the operator CLI exits 78 naming maxmemory-policy when Redis may evict keys', async () => {
    const cli = run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', 'status'],
      { cwd: repositoryRoot, env: { ...process.env, ...(await environment(evicting.url)) }, timeout: 30_000 },
    );
    const failure = (await cli.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code?: number; stderr?: string } | undefined;
    expect(failure?.code, failure?.stderr).toBe(78);
    expect(failure?.stderr).toContain('maxmemory-policy allkeys-lru');
    expect(failure?.stderr).toContain('maxmemory-policy noeviction');
  });

  it('starts, saying once that it cannot check, when CONFIG is renamed away', async () => {
    const dashboard = await startApp('dashboard', await environment(configHidden.url));
    started.push(dashboard);
    // Only the process's own JSON lines: BullMQ prints its own eviction warning as plain text.
    const warnings = dashboard.lines.filter((line: string) =>
      line.includes('"msg":"cannot read maxmemory-policy'),
    );
    expect(warnings).toHaveLength(1);
  });
});
