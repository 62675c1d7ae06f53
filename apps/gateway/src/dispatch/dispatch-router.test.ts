import { randomUUID } from 'node:crypto';
import {
  createRedisConnection,
  type LaneName,
  type Redis,
  redisTargetOf,
  TaskMonitor,
  unorderedTopology,
} from '@dgc/shared';
import { GatewayDispatchEvents, type GatewayDispatchPayload } from 'discord-api-types/v10';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldShardLeases } from '../cluster/held-shard-leases.js';
import { gatewayEnvSchema } from '../config.js';
import type { WriteReceipt } from '../publish/batching-publisher.js';
import { LanePublishers } from '../publish/lane-publishers.js';
import { PublishedWatermark } from '../publish/published-watermark.js';
import { DispatchRouter } from './dispatch-router.js';
import { EventFilter } from './event-filter.js';
import { LaneBackpressure } from './lane-backpressure.js';

const logger = pino({ level: 'silent' });
const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789';

/** The session store's in-memory half: each shard's published watermark and its session. */
class Sessions {
  readonly watermarks = new Map<number, PublishedWatermark>();
  readonly sessionIds = new Map<number, string>();

  watermark(shardId: number): PublishedWatermark {
    let watermark = this.watermarks.get(shardId);
    if (!watermark) {
      watermark = new PublishedWatermark();
      this.watermarks.set(shardId, watermark);
    }
    return watermark;
  }

  sessionIdOf(shardId: number): string | undefined {
    return this.sessionIds.get(shardId);
  }
}

function dispatch(
  t: GatewayDispatchEvents,
  s: number,
  d: object = { guild_id: '1' },
): GatewayDispatchPayload {
  return { op: 0, t, s, d } as GatewayDispatchPayload;
}

/** The cache stage's side the router sees: which events it takes, and their receipts to confirm at will. */
class CacheStage {
  /** None until a test says which: the other tests' events are not cached. */
  events = new Set<string>();
  readonly applied: { event: string; shardId: number; receipt: WriteReceipt }[] = [];

  handles(event: string): boolean {
    return this.events.has(event);
  }

  apply(dispatch: GatewayDispatchPayload, shardId: number, receipt: WriteReceipt): void {
    this.applied.push({ event: dispatch.t, shardId, receipt });
  }
}

describe('DispatchRouter', () => {
  const keyPrefix = `test-router-${randomUUID().slice(0, 8)}`;
  const tasks = new TaskMonitor({ logger });
  const leases = new HeldShardLeases();
  const dropped: number[] = [];
  let redis: Redis;
  let publishers: LanePublishers;
  let backpressure: LaneBackpressure;
  let sessions: Sessions;
  let router: DispatchRouter;
  const cache = new CacheStage();

  beforeAll(() => {
    const config = gatewayEnvSchema.parse({
      DISCORD_TOKEN: token,
      REDIS_KEY_PREFIX: keyPrefix,
      GATEWAY_LANE_ROUTES: 'GUILD_MEMBER_ADD=bulk',
    });
    redis = createRedisConnection({ target: redisTargetOf(config), connectionName: 'test:dispatch-router' });
    publishers = new LanePublishers({ config, topology: unorderedTopology, redis, leases, tasks, logger });
    backpressure = new LaneBackpressure({
      lanes: publishers,
      highWaterMark: 1,
      maxBufferedEvents: 1_000,
      pollEveryMs: 250,
      logger,
    });
    sessions = new Sessions();
    router = new DispatchRouter({
      leases,
      sessions,
      filter: EventFilter.fixed(
        new Set(['MESSAGE_CREATE', 'INTERACTION_CREATE', 'GUILD_MEMBER_ADD', 'TYPING_START']),
      ),
      laneRoutes: config.GATEWAY_LANE_ROUTES,
      backpressure,
      publishers,
      cache,
      counters: { droppedForLostLease: (count) => dropped.push(count) },
      logger,
    });
  });

  afterAll(async () => {
    const lanes: LaneName[] = ['interactions', 'events', 'bulk'];
    await Promise.all(
      lanes.flatMap((lane) => publishers.queuesOf(lane).map((queue) => queue.obliterate({ force: true }))),
    );
    await publishers.close();
    await redis.quit();
    tasks.stop();
  });

  function hold(shardId: number, validForMs = 60_000): void {
    leases.set(shardId, { shardId, token: 1, validUntil: Date.now() + validForMs });
  }

  async function jobOf(lane: LaneName, jobId: string) {
    const [queue] = publishers.queuesOf(lane);
    return queue?.getJob(jobId);
  }

  it('sends each wanted dispatch to its lane in its envelope, named by shard, session and sequence', async () => {
    hold(0);
    sessions.sessionIds.set(0, 'session-a');
    const message = dispatch(GatewayDispatchEvents.MessageCreate, 1);
    router.route(message, 0);
    router.route(dispatch(GatewayDispatchEvents.InteractionCreate, 2), 0);
    router.route(dispatch(GatewayDispatchEvents.GuildMemberAdd, 3), 0);
    // Accepted, not yet in Redis: the resume point stays behind them.
    expect(sessions.watermark(0).value).toBe(0);
    await publishers.drain(AbortSignal.timeout(10_000));
    expect(sessions.watermark(0).value).toBe(3);

    const job = await jobOf('events', '0-session-a-1');
    expect(job?.name).toBe('MESSAGE_CREATE');
    expect(job?.data).toEqual({
      shardId: 0,
      sequence: 1,
      event: 'MESSAGE_CREATE',
      payload: message.d,
      receivedAt: expect.any(Number),
    });
    expect((await jobOf('interactions', '0-session-a-2'))?.name).toBe('INTERACTION_CREATE');
    // Routed by configuration, over the default lane.
    expect((await jobOf('bulk', '0-session-a-3'))?.name).toBe('GUILD_MEMBER_ADD');
  });

  it('lets unwanted and shed dispatches go at once, so the resume point passes them', async () => {
    hold(1);
    sessions.sessionIds.set(1, 'session-b');
    router.route(dispatch(GatewayDispatchEvents.GuildCreate, 1), 1);
    expect(sessions.watermark(1).value).toBe(1);
    router.route(dispatch(GatewayDispatchEvents.TypingStart, 2), 1);
    // The bulk lane now holds one buffered event: the high-water mark (1) sheds the next.
    router.route(dispatch(GatewayDispatchEvents.TypingStart, 3), 1);
    expect(backpressure.shedCounts()).toEqual({ TYPING_START: 1 });
    expect(sessions.watermark(1).value).toBe(1);
    await publishers.drain(AbortSignal.timeout(10_000));
    expect(sessions.watermark(1).value).toBe(3);
    expect(await jobOf('bulk', '1-session-b-2')).toBeDefined();
    expect(await jobOf('bulk', '1-session-b-3')).toBeUndefined();
  });

  it('hands cache events to the cache stage, wanted or not, and counts them published once it has them', async () => {
    hold(4);
    sessions.sessionIds.set(4, 'session-c');
    cache.events = new Set(['GUILD_ROLE_CREATE', 'GUILD_MEMBER_ADD']);
    // Not wanted by any handler: only the cache takes it.
    router.route(dispatch(GatewayDispatchEvents.GuildRoleCreate, 1), 4);
    expect(sessions.watermark(4).value).toBe(0);
    cache.applied[0]?.receipt.confirm();
    expect(sessions.watermark(4).value).toBe(1);
    // Wanted and cached: both the lane and the cache must have it.
    router.route(dispatch(GatewayDispatchEvents.GuildMemberAdd, 2), 4);
    await publishers.drain(AbortSignal.timeout(10_000));
    expect(await jobOf('bulk', '4-session-c-2')).toBeDefined();
    expect(sessions.watermark(4).value).toBe(1);
    cache.applied[1]?.receipt.confirm();
    expect(sessions.watermark(4).value).toBe(2);
    expect(cache.applied.map(({ event, shardId }) => [event, shardId])).toEqual([
      ['GUILD_ROLE_CREATE', 4],
      ['GUILD_MEMBER_ADD', 4],
    ]);
    // An event the cache does not need never reaches it.
    router.route(dispatch(GatewayDispatchEvents.MessageCreate, 3), 4);
    expect(cache.applied).toHaveLength(2);
  });

  it('drops dispatches of shards whose lease is lost or expired, and reports them once', () => {
    hold(3, -1);
    const before = publishers.pendingCount('events');
    router.route(dispatch(GatewayDispatchEvents.MessageCreate, 1), 2);
    router.route(dispatch(GatewayDispatchEvents.MessageCreate, 1), 3);
    expect(publishers.pendingCount('events')).toBe(before);
    // Not ours to count as published: the next owner resumes from the stored session and gets them again.
    expect(sessions.watermarks.has(2)).toBe(false);
    router.reportLostLeaseDrops();
    router.reportLostLeaseDrops();
    expect(dropped).toEqual([2]);
  });
});
