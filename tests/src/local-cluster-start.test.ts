import { ManagedProcess } from '@dgc/dev-tools/supervision';
import { createTestDatabase } from '@dgc/dev-tools/testing';
import { applyMigrations } from '@dgc/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsQueueProbe } from './support/queue-inspection.js';
import { freePort, redisUrl, repositoryRoot, uniqueKeyPrefix } from './support/services.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (the local cluster launcher)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const keyPrefix = uniqueKeyPrefix('launcher');

  beforeAll(async () => {
    database = await createTestDatabase('launcher', { schema: { apply: applyMigrations } });
  });

  afterAll(async () => {
    await new EventsQueueProbe(keyPrefix).removeAndClose();
    await database?.drop();
  });

  it('shows shards READY and a /ping round trip within 15 s, and Ctrl-C stops every process cleanly', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      DATABASE_URL: database.url,
      // Its own port, so a dashboard already running on the default one cannot collide.
      DASHBOARD_PORT: String(await freePort()),
    };
    delete env.DISCORD_TOKEN;
    const launcher = ManagedProcess.start({
      name: 'launcher',
      cwd: repositoryRoot,
      args: ['--conditions=source', '--import', 'tsx', 'scripts/start-local-cluster.ts'],
      env: { ...env, LOCAL_PING_EVERY_MS: '1000' },
    });
    try {
      await launcher.waitForLine((line) => line.includes('starting the local Discord simulator'), 15_000);
      await launcher.waitForLine((line) => line.includes('shard READY'), 15_000);
      await launcher.waitForLine(
        (line) => line.includes('/ping answered in') && line.includes('Pong!'),
        15_000,
      );
    } catch (error) {
      launcher.kill();
      throw new Error(`launcher output:\n${launcher.lines.slice(-40).join('\n')}`, { cause: error });
    }
    const childPids = launcher.lines
      .map((line) => /started (\S+) \(pid (\d+)\)/.exec(line))
      .filter((match) => match !== null)
      .map((match) => Number(match[2]));
    expect(childPids).toHaveLength(6); // simulator, scheduler, two workers, gateway, dashboard

    const exit = await launcher.stop('SIGINT', 60_000);
    expect(exit.code, launcher.lines.slice(-40).join('\n')).toBe(0);
    expect(launcher.lines.some((line) => line.includes('every process stopped cleanly'))).toBe(true);
    expect(childPids.filter(isRunning)).toEqual([]);
  }, 90_000);
});
