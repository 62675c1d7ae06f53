import { randomUUID } from 'node:crypto';
import { HandlerRegistry } from '@dgc/bot-sdk/runtime';
import {
  createLogger,
  createRedisConnection,
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  laneQueueName,
  RedisKeys,
  singleRedis,
} from '@dgc/shared';
import { loadWorkerConfig, startWorker } from '@dgc/worker';
import { Queue, UnrecoverableError } from 'bullmq';
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsQueueProbe } from './support/queue-inspection.js';
import { redisUrl, simulatorToken, uniqueKeyPrefix } from './support/services.js';

const keyPrefix = uniqueKeyPrefix('handler-runtime');

function envelope(event: GatewayDispatchEvents, id: string): GatewayEventEnvelope {
  return {
    shardId: 0,
    sequence: 1,
    event,
    payload: { id } as never,
    receivedAt: Date.now(),
  } as GatewayEventEnvelope;
}

describe('handler runtime', () => {
  const seen = { hangingAborted: 0, badInputCalls: 0, rolesCreated: 0 };
  const registry = new HandlerRegistry()
    .on(GatewayDispatchEvents.GuildBanAdd, (_data, { signal }) => {
      // Hangs until aborted: the timeout must fire the signal and fail the job for retry.
      return new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          seen.hangingAborted += 1;
          reject(signal.reason);
        });
      });
    })
    .on(GatewayDispatchEvents.GuildBanRemove, async () => {
      seen.badInputCalls += 1;
      throw new UnrecoverableError('the ban payload names no user');
    })
    .on(GatewayDispatchEvents.GuildRoleCreate, async () => {
      seen.rolesCreated += 1;
    });
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let queue: Queue<GatewayEventJobData>;
  const probe = new EventsQueueProbe(keyPrefix);
  const redis = createRedisConnection({
    target: singleRedis(redisUrl),
    connectionName: 'test:handler-runtime',
  });

  beforeAll(async () => {
    const config = loadWorkerConfig({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      DISCORD_TOKEN: simulatorToken,
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
      WORKER_JOB_TIMEOUT_MS: '200',
      WORKER_LANES: 'events',
    });
    const logger = createLogger({ name: 'worker', level: 'silent' });
    worker = await startWorker(config, logger, undefined, { registry });
    queue = new Queue(laneQueueName('events'), {
      connection: redis,
      prefix: new RedisKeys(keyPrefix).queuePrefix(laneQueueName('events')),
    });
  });

  afterAll(async () => {
    await worker?.stopIntake();
    await worker?.drain(AbortSignal.timeout(5_000));
    await worker?.close();
    await queue?.close();
    await probe.removeAndClose();
    await redis.quit();
  });

  it('aborts a hanging handler at the job timeout and retries the job', { timeout: 30_000 }, async () => {
    const job = await queue.add('GUILD_BAN_ADD', envelope(GatewayDispatchEvents.GuildBanAdd, randomUUID()), {
      attempts: 2,
      backoff: { type: 'fixed', delay: 10 },
    });
    await expect
      .poll(async () => (await queue.getJobState(job.id ?? '')) === 'failed', { timeout: 20_000 })
      .toBe(true);
    const failed = await queue.getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(2);
    expect(failed?.failedReason).toMatch(/did not finish within 200 ms/);
    expect(seen.hangingAborted).toBe(2);
  });

  it('fails a bad-input error fast, without retrying', { timeout: 30_000 }, async () => {
    const job = await queue.add(
      'GUILD_BAN_REMOVE',
      envelope(GatewayDispatchEvents.GuildBanRemove, randomUUID()),
      {
        attempts: 5,
        backoff: { type: 'fixed', delay: 10 },
      },
    );
    await expect
      .poll(async () => (await queue.getJobState(job.id ?? '')) === 'failed', { timeout: 20_000 })
      .toBe(true);
    expect((await queue.getJob(job.id ?? ''))?.attemptsMade).toBe(1);
    expect(seen.badInputCalls).toBe(1);
  });

  it('completes a batch whose events fail: each failed event is re-queued on its own, nothing runs twice', {
    timeout: 30_000,
  }, async () => {
    const badInputBefore = seen.badInputCalls;
    const hangingBefore = seen.hangingAborted;
    const batch = await queue.add('batch', {
      events: [
        envelope(GatewayDispatchEvents.GuildRoleCreate, randomUUID()),
        envelope(GatewayDispatchEvents.GuildBanRemove, randomUUID()),
        envelope(GatewayDispatchEvents.GuildBanAdd, randomUUID()),
        envelope(GatewayDispatchEvents.GuildRoleCreate, randomUUID()),
      ],
    });
    await expect
      .poll(async () => (await queue.getJobState(batch.id ?? '')) === 'completed', { timeout: 20_000 })
      .toBe(true);
    expect(seen.rolesCreated).toBe(2);
    expect(seen.hangingAborted).toBe(hangingBefore + 1);
    // The bad-input event is parked in the failed set with its cause, without running its handler again.
    const failedBadInput = async () =>
      (await queue.getFailed()).filter(
        (job) => job.name === 'GUILD_BAN_REMOVE' && /event failed in a batch/.test(job.failedReason),
      );
    await expect.poll(async () => (await failedBadInput()).length, { timeout: 20_000 }).toBe(1);
    expect((await failedBadInput())[0]?.failedReason).toMatch(/names no user/);
    expect(seen.badInputCalls).toBe(badInputBefore + 1);
    // The timed-out event is re-queued alone, with the lane's attempts and back-off.
    const retried = (await queue.getJobs(['delayed', 'waiting', 'active'])).filter(
      (job) => job.name === 'GUILD_BAN_ADD',
    );
    expect(retried).toHaveLength(1);
    expect(retried[0]?.opts.attempts).toBeGreaterThan(1);
  });
});
