import { randomUUID } from 'node:crypto';
import { HandlerRegistry } from '@dgc/bot-sdk/runtime';
import {
  createLogger,
  createRedisConnection,
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  type Redis,
  RedisKeys,
  singleRedis,
} from '@dgc/shared';
import { Queue, UnrecoverableError } from 'bullmq';
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventDedupe } from '../dedupe/event-dedupe.js';
import { BatchProcessor, type EventJob } from './batch-processor.js';
import type { HandlerServices } from './event-handler-context.js';
import { EventSlots } from './event-slots.js';
import { FailedEventRequeuer } from './failed-event-requeuer.js';
import { HandlerInvoker } from './handler-invoker.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('BatchProcessor', () => {
  let redis: Redis;
  const keyPrefix = `test-batch-${randomUUID()}`;
  const queueName = 'lane-events';
  const logger = createLogger({ name: 'test', level: 'silent' });
  /** Message ids in the order their handler ran. */
  let ran: string[];
  const failing = new Set<string>();

  beforeAll(() => {
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:batch-processor' });
  });

  afterAll(async () => {
    const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const stages = (ordered: boolean) => {
    ran = [];
    const registry = new HandlerRegistry().on(GatewayDispatchEvents.MessageCreate, async (message) => {
      ran.push(message.id);
      if (failing.has(message.id)) throw new Error(`message ${message.id} failed`);
    });
    const requeuer = new FailedEventRequeuer({
      connection: redis,
      keyPrefix,
      ordered,
      jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 60_000 } },
    });
    const processor = new BatchProcessor({
      lane: 'events',
      ordered,
      eventSlots: new EventSlots(4),
      inlineRetry: { attempts: 2, delayAfter: () => 0 },
      // The handlers here touch none of the process's clients.
      invoker: new HandlerInvoker({ registry, services: {} as HandlerServices, jobTimeoutMs: 5_000 }),
      requeuer,
      dedupe: new EventDedupe(redis, { keyPrefix, processingTtlMs: 10_000, doneTtlMs: 60_000 }),
      logger,
    });
    return { processor, requeuer };
  };

  const snowflake = () => String(1e15 + Math.floor(Math.random() * 1e15));
  const envelope = (id: string, sequence: number) =>
    ({
      shardId: 0,
      sequence,
      event: GatewayDispatchEvents.MessageCreate,
      // The fields the worker checks before handlers run (see payload-shapes.ts).
      payload: { id, channel_id: '1', author: { id: '2' }, content: '', timestamp: '' },
      receivedAt: Date.now(),
    }) as unknown as GatewayEventEnvelope;

  const batchJob = (ids: string[], queue = queueName) =>
    ({
      id: randomUUID(),
      name: 'batch',
      queueName: queue,
      data: { events: ids.map((id, index) => envelope(id, index + 1)) },
    }) as unknown as EventJob;

  const queuedJobs = async (queue: string) => {
    const handle = new Queue<GatewayEventJobData>(queue, {
      connection: redis,
      prefix: new RedisKeys(keyPrefix).queuePrefix(queue),
    });
    const jobs = await handle.getJobs(['waiting', 'delayed']);
    await handle.close();
    return jobs;
  };

  it('completes a batch whose event fails, re-queues that event alone, and settles the others as handled', async () => {
    const [a, b, c] = [snowflake(), snowflake(), snowflake()];
    failing.add(b);
    const queue = `${queueName}-${randomUUID()}`;
    const { processor, requeuer } = stages(false);
    await processor.process(batchJob([a, b, c], queue));
    expect(ran.sort()).toEqual([a, b, c].sort());
    const requeued = await queuedJobs(queue);
    expect(requeued).toHaveLength(1);
    expect(requeued[0]?.data).toMatchObject({ payload: { id: b } });
    expect(requeued[0]?.opts.delay).toBe(60_000);

    // A redelivery of the whole batch runs only the event that failed.
    ran = [];
    await processor.process(batchJob([a, b, c], queue));
    expect(ran).toEqual([b]);
    await requeuer.close();
  });

  it('on an ordered lane retries a failed event in place, then parks it, keeping the order', async () => {
    const [a, b, c] = [snowflake(), snowflake(), snowflake()];
    failing.add(b);
    const queue = `${queueName}-${randomUUID()}`;
    const { processor, requeuer } = stages(true);
    await processor.process(batchJob([a, b, c], queue));
    expect(ran).toEqual([a, b, b, c]);
    const requeued = await queuedJobs(queue);
    expect(requeued).toHaveLength(1);
    expect(requeued[0]?.data).toMatchObject({
      envelope: { payload: { id: b } },
      rejection: { name: 'Error' },
    });
    expect(requeued[0]?.opts.attempts).toBe(1);
    await requeuer.close();
  });

  it('fails a parked event for good without running its handlers', async () => {
    const { processor, requeuer } = stages(false);
    const job = {
      id: randomUUID(),
      name: 'MESSAGE_CREATE',
      queueName,
      data: { envelope: envelope(randomUUID(), 1), rejection: { name: 'Error', message: 'boom' } },
    } as unknown as EventJob;
    await expect(processor.process(job)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(ran).toEqual([]);
    await requeuer.close();
  });
});
