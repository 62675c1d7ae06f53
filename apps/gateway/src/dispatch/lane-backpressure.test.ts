import { randomUUID } from 'node:crypto';
import {
  createRedisConnection,
  type LaneName,
  laneNames,
  laneQueueName,
  type Redis,
  singleRedis,
} from '@dgc/shared';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaneBackpressure } from './lane-backpressure.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('LaneBackpressure', () => {
  const prefix = `test-backpressure-${randomUUID()}`;
  let redis: Redis;
  let queues: Map<LaneName, Queue>;

  beforeAll(async () => {
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:backpressure' });
    queues = new Map(
      laneNames.map((lane) => [lane, new Queue(laneQueueName(lane), { connection: redis, prefix })]),
    );
    const fill = (lane: LaneName) =>
      queues.get(lane)?.addBulk(Array.from({ length: 15 }, () => ({ name: 'TYPING_START', data: {} })));
    await Promise.all([fill('bulk'), fill('interactions'), fill('events')]);
  });

  afterAll(async () => {
    await Promise.all([...queues.values()].map((queue) => queue.obliterate({ force: true })));
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    await redis.quit();
  });

  it('sheds only sheddable lanes above the high-water mark, counting by event type', async () => {
    const backpressure = new LaneBackpressure({
      lanes: {
        queuesOf: (lane) => [queues.get(lane)].filter((queue) => queue !== undefined),
        pendingCount: () => 0,
        eventsPerJob: () => 1,
      },
      highWaterMark: 10,
      maxBufferedEvents: 1_000,
      pollEveryMs: 250,
      logger: pino({ level: 'silent' }),
    });
    expect(backpressure.shouldShed('bulk', 'TYPING_START')).toBe(false); // depth unknown until polled
    await backpressure.poll();
    expect(backpressure.shouldShed('bulk', 'TYPING_START')).toBe(true);
    expect(backpressure.shouldShed('bulk', 'PRESENCE_UPDATE')).toBe(true);
    expect(backpressure.shouldShed('interactions', 'INTERACTION_CREATE')).toBe(false);
    expect(backpressure.shouldShed('events', 'MESSAGE_CREATE')).toBe(false);
    expect(backpressure.shedCounts()).toEqual({ TYPING_START: 1, PRESENCE_UPDATE: 1 });
  });

  it('counts events still buffered in the process, so an unreachable Redis cannot grow memory without bound', () => {
    const backpressure = new LaneBackpressure({
      lanes: {
        queuesOf: () => [],
        pendingCount: (lane) => (lane === 'bulk' ? 50 : 0),
        eventsPerJob: () => 1,
      },
      highWaterMark: 10,
      maxBufferedEvents: 1_000,
      pollEveryMs: 250,
      logger: pino({ level: 'silent' }),
    });
    expect(backpressure.shouldShed('bulk', 'TYPING_START')).toBe(true);
    expect(backpressure.shouldShed('interactions', 'INTERACTION_CREATE')).toBe(false);
  });

  it('drops ordinary events past the hard memory bound, counted apart, and never interactions', () => {
    const buffered = 2_000;
    const backpressure = new LaneBackpressure({
      lanes: { queuesOf: () => [], pendingCount: () => buffered, eventsPerJob: () => 1 },
      highWaterMark: 10_000,
      maxBufferedEvents: 1_000,
      pollEveryMs: 250,
      logger: pino({ level: 'silent' }),
    });
    expect(backpressure.shouldShed('events', 'MESSAGE_CREATE')).toBe(true);
    expect(backpressure.shouldShed('interactions', 'INTERACTION_CREATE')).toBe(false);
    expect(backpressure.overflowCounts()).toEqual({ MESSAGE_CREATE: 1 });
    expect(backpressure.shedCounts()).toEqual({});
  });
});
