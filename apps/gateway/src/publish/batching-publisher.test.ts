import { randomUUID } from 'node:crypto';
import {
  createRedisConnection,
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  type Redis,
  singleRedis,
} from '@dgc/shared';
import { Queue } from 'bullmq';
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchingPublisher } from './batching-publisher.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

function envelope(sequence: number): GatewayEventEnvelope {
  return {
    shardId: 0,
    sequence,
    event: GatewayDispatchEvents.TypingStart,
    payload: { channel_id: '1', user_id: '2', timestamp: 0 },
    receivedAt: Date.now(),
  } as GatewayEventEnvelope;
}

function sequencesOf(data: GatewayEventJobData): number[] {
  if ('events' in data) return data.events.map((event) => event.sequence);
  if ('rejection' in data) return [data.envelope.sequence];
  return [data.sequence];
}

describe('BatchingPublisher', () => {
  let redis: Redis;
  let queue: Queue<GatewayEventJobData>;
  const prefix = `test-publisher-${randomUUID()}`;

  beforeAll(async () => {
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:publisher' });
    queue = new Queue('events', { connection: redis, prefix });
    await queue.waitUntilReady();
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('writes every event in batches no larger than maxEvents, in order', async () => {
    const publisher = new BatchingPublisher(queue, { maxEvents: 100, maxWaitMs: 5, maxInFlight: 1, logger });
    for (let sequence = 1; sequence <= 1_050; sequence += 1) publisher.publish(envelope(sequence));
    await publisher.drain(AbortSignal.timeout(10_000));
    expect(publisher.publishedCount).toBe(1_050);
    const jobs = await queue.getJobs(['waiting'], 0, -1, true);
    expect(jobs.flatMap((job) => sequencesOf(job.data))).toEqual(
      Array.from({ length: 1_050 }, (_, index) => index + 1),
    );
    await queue.drain();
  });

  it('groups events into jobs of at most maxEventsPerJob, in order; a lone event keeps its own job id', async () => {
    const publisher = new BatchingPublisher(queue, {
      maxEvents: 500,
      maxWaitMs: 5,
      maxInFlight: 1,
      maxEventsPerJob: 100,
      logger,
    });
    for (let sequence = 1; sequence <= 250; sequence += 1) publisher.publish(envelope(sequence));
    await publisher.drain(AbortSignal.timeout(10_000));
    const jobs = await queue.getJobs(['waiting'], 0, -1, true);
    expect(jobs.map((job) => job.name)).toEqual(['batch', 'batch', 'batch']);
    expect(jobs.map((job) => sequencesOf(job.data).length)).toEqual([100, 100, 50]);
    expect(jobs.flatMap((job) => sequencesOf(job.data))).toEqual(
      Array.from({ length: 250 }, (_, index) => index + 1),
    );
    await queue.drain();
    publisher.publish(envelope(251), undefined, 'shard-0-session-251');
    await publisher.drain(AbortSignal.timeout(10_000));
    const [lone] = await queue.getJobs(['waiting'], 0, -1, true);
    expect(lone?.id).toBe('shard-0-session-251');
    expect(sequencesOf(lone?.data ?? { events: [] })).toEqual([251]);
    await queue.drain();
  });

  it('with maxWaitMs 0, starts writing each event as it arrives, without a timer', async () => {
    const publisher = new BatchingPublisher(queue, {
      maxEvents: 1_000,
      maxWaitMs: 0,
      maxInFlight: 4,
      logger,
    });
    publisher.publish(envelope(1));
    expect(publisher.bufferedCount).toBe(0);
    expect(publisher.pendingCount).toBe(1);
    await publisher.drain(AbortSignal.timeout(10_000));
    expect(await queue.getWaitingCount()).toBe(1);
    await queue.drain();
  });

  it('flushes a partial batch after maxWaitMs without further events', async () => {
    const publisher = new BatchingPublisher(queue, {
      maxEvents: 1_000,
      maxWaitMs: 5,
      maxInFlight: 2,
      logger,
    });
    publisher.publish(envelope(1));
    publisher.publish(envelope(2));
    expect(publisher.bufferedCount).toBe(2);
    await expect.poll(() => queue.getWaitingCount(), { timeout: 2_000, interval: 10 }).toBe(2);
    expect(publisher.bufferedCount).toBe(0);
    await queue.drain();
  });

  it('keeps events through a Redis outage and writes them when it returns', async () => {
    const flaky = createRedisConnection({
      target: singleRedis(redisUrl),
      connectionName: 'test:publisher:flaky',
    });
    const flakyQueue = new Queue<GatewayEventJobData>('outage', { connection: flaky, prefix });
    await flakyQueue.waitUntilReady();
    const publisher = new BatchingPublisher(flakyQueue, {
      maxEvents: 10,
      maxWaitMs: 1,
      maxInFlight: 2,
      logger,
    });
    // Simulate the outage: every write fails, through either method, until the real ones are restored.
    const real = { add: flakyQueue.add.bind(flakyQueue), addBulk: flakyQueue.addBulk.bind(flakyQueue) };
    let failedWrites = 0;
    const refuse = async (): Promise<never> => {
      failedWrites += 1;
      throw new Error('ECONNREFUSED (simulated)');
    };
    flakyQueue.add = refuse;
    flakyQueue.addBulk = refuse;
    for (let sequence = 1; sequence <= 25; sequence += 1) publisher.publish(envelope(sequence));
    await expect.poll(() => failedWrites, { timeout: 2_000, interval: 5 }).toBeGreaterThan(0);
    expect(publisher.bufferedCount).toBe(25);
    flakyQueue.add = real.add;
    flakyQueue.addBulk = real.addBulk;
    await publisher.drain(AbortSignal.timeout(10_000));
    const jobs = await flakyQueue.getJobs(['waiting'], 0, -1, true);
    expect(jobs.flatMap((job) => sequencesOf(job.data)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, index) => index + 1),
    );
    await flakyQueue.obliterate({ force: true });
    await flakyQueue.close();
    await flaky.quit();
  });

  it('reports a drain that cannot finish before its deadline', async () => {
    const stuck = new Queue<GatewayEventJobData>('stuck', { connection: redis, prefix });
    stuck.add = () => new Promise(() => {});
    stuck.addBulk = () => new Promise(() => {});
    const publisher = new BatchingPublisher(stuck, { maxEvents: 10, maxWaitMs: 1, maxInFlight: 1, logger });
    publisher.publish(envelope(1));
    await expect(publisher.drain(AbortSignal.timeout(50))).rejects.toThrow(
      /not written before the drain deadline/,
    );
  });
});
