import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { readLiveProcesses } from '../cluster-view/live-processes.js';
import { createRedisConnection } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { singleRedis } from '../redis/redis-target.js';
import { ProcessRegistry } from './process-registry.js';
import { DuplicateTaskError, TaskMonitor } from './task-monitor.js';

function capturingLogger() {
  const lines: { msg: string; task?: string }[] = [];
  const logger = pino(
    new Writable({ write: (chunk, _encoding, done) => done(void lines.push(JSON.parse(String(chunk)))) }),
  );
  return { logger, lines };
}

/** Resolves when `predicate` holds, checking on every timer turn (the monitor's own timers drive it). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('TaskMonitor', () => {
  it('runs periodic tasks without overlap and counts runs and failures', async () => {
    const { logger, lines } = capturingLogger();
    const tasks = new TaskMonitor({ logger });
    let calls = 0;
    let release: () => void = () => {};
    tasks.every(
      'slow',
      5,
      () => {
        calls += 1;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      { runNow: true },
    );
    await until(() => lines.some((line) => line.msg === 'periodic task still running; run skipped'));
    expect(calls).toBe(1);
    expect(tasks.snapshot()[0]).toMatchObject({ name: 'slow', kind: 'periodic', state: 'running', runs: 1 });
    release();
    await until(() => calls >= 2);

    tasks.every('broken', 5, () => {
      throw new Error('boom');
    });
    await until(() => (tasks.snapshot().find((task) => task.name === 'broken')?.failures ?? 0) >= 2);
    expect(tasks.snapshot().find((task) => task.name === 'broken')).toMatchObject({
      state: 'failed',
      lastError: 'boom',
    });
    release();
    await tasks.stop();
  });

  it('lists one-shot tasks while they run and warns once about a long one', async () => {
    const { logger, lines } = capturingLogger();
    const tasks = new TaskMonitor({ logger, checkEveryMs: 5 });
    let release: (value: string) => void = () => {};
    const result = tasks.run('export', () => new Promise<string>((resolve) => (release = resolve)), {
      warnAfterMs: 20,
    });
    expect(tasks.snapshot()).toEqual([
      expect.objectContaining({ name: 'export#1', kind: 'one-shot', state: 'running' }),
    ]);
    await until(() => lines.some((line) => line.msg === 'background task running longer than expected'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(lines.filter((line) => line.msg === 'background task running longer than expected')).toHaveLength(
      1,
    );
    release('done');
    await expect(result).resolves.toBe('done');
    expect(tasks.snapshot()).toEqual([]);
    await tasks.stop();
  });

  it('probes watched services at snapshot time and rejects duplicate names', async () => {
    const { logger } = capturingLogger();
    const tasks = new TaskMonitor({ logger });
    let paused = false;
    const unwatch = tasks.watch('consume:events', () => ({
      state: paused ? 'paused' : 'running',
      detail: 'x',
    }));
    expect(tasks.snapshot()[0]).toMatchObject({ state: 'running', detail: 'x' });
    paused = true;
    expect(tasks.snapshot()[0]).toMatchObject({ state: 'paused' });
    expect(() => tasks.watch('consume:events', () => ({ state: 'idle' }))).toThrow(DuplicateTaskError);
    unwatch();
    expect(tasks.snapshot()).toEqual([]);
    await tasks.stop();
  });

  it('aborts running tasks on stop', async () => {
    const { logger } = capturingLogger();
    const tasks = new TaskMonitor({ logger });
    const aborted = tasks.run(
      'waits-for-stop',
      (signal) =>
        new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
    );
    await tasks.stop();
    await expect(aborted).rejects.toBeDefined();
  });
});

describe('ProcessRegistry', () => {
  const redis = createRedisConnection({
    target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    connectionName: 'test:process-registry',
  });
  const keyPrefix = `test:process-registry:${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    await redis.del(new RedisKeys(keyPrefix).processes());
    await redis.quit();
  });

  it('lists live processes with their tasks and prunes silent ones', async () => {
    const { logger } = capturingLogger();
    const tasks = new TaskMonitor({ logger });
    tasks.watch('shard:0', () => ({ state: 'running', detail: 'ready' }));
    const registry = new ProcessRegistry({ redis, keyPrefix, role: 'gateway', tasks });
    await registry.beat();
    const [listed, ...others] = await readLiveProcesses(redis, keyPrefix);
    expect(others).toEqual([]);
    expect(listed).toMatchObject({ id: registry.id, role: 'gateway', pid: process.pid });
    expect(listed?.tasks).toEqual([expect.objectContaining({ name: 'shard:0', state: 'running' })]);

    expect(await readLiveProcesses(redis, keyPrefix, -1)).toEqual([]);
    expect(await redis.hlen(new RedisKeys(keyPrefix).processes())).toBe(0);

    await registry.beat();
    await registry.remove();
    expect(await readLiveProcesses(redis, keyPrefix)).toEqual([]);
    await tasks.stop();
  });
});
