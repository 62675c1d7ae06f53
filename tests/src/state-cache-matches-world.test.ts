import { permissionsIn } from '@dgc/bot-sdk';
import { type CacheLookupOutcome, RedisStateCache } from '@dgc/bot-sdk/runtime';
import {
  type SimulatedGuild,
  type StateMutationMix,
  threadAndEmojiMutationMix,
} from '@dgc/discord-simulator';
import {
  type CachedChannel,
  type CachedMember,
  type CachedThread,
  compactEmoji,
  RedisKeys,
} from '@dgc/shared';
import { REST } from '@discordjs/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { logMessageIs, simulatorToken, startService } from './support/services.js';
import { differences, expectedThread, expectedThreadMember } from './support/state-cache-differences.js';

const shardCount = 4;
const guildCount = 200;
/**
 * The figures: 10,000 random changes across 200 guilds on 4 shards (about 10 s here), threads,
 * thread memberships and emojis among them (cached: opted in below). The changes made before the first gateway starts reach it
 * through GUILD_CREATE alone (threads and emojis included).
 */
const mutations = { beforeStart: 500, beforeCrash: 4_000, whileDown: 2_000, afterResume: 4_000 };
const mix = threadAndEmojiMutationMix;

/** Lets the simulator's sockets send what was dispatched (mutations are dispatched synchronously). */
const yieldToSockets = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Before the first gateway starts: threads made (and some deleted) and emoji sets changed, which reach it
 * through GUILD_CREATE. No thread is archived then (GUILD_CREATE carries active threads only, as Discord's
 * does), and no member joins (a large guild's GUILD_CREATE carries only the bot).
 */
const beforeStartMix = { THREAD_CREATE: 3, THREAD_DELETE: 1, GUILD_EMOJIS_UPDATE: 2 };

async function mutate(
  cluster: TestCluster,
  count: number,
  mutationMix: StateMutationMix = mix,
): Promise<void> {
  for (let done = 0; done < count; done += 100) {
    cluster.simulator.mutateState(Math.min(100, count - done), { mix: mutationMix });
    await yieldToSockets();
  }
}

/**
 * The shared state cache under random changes and a crash: gateways on 4 shards keep guilds, channels,
 * roles and members in Redis while the simulator changes them; the gateway is killed with writes in flight
 * and its successor resumes; afterwards the cache equals the simulator's world, field by field.
 */
describe('shared state cache', () => {
  let cluster: TestCluster;
  let env: NodeJS.ProcessEnv;
  /** When the first gateway started: thread memberships made since were all announced to it. */
  let firstStartedAt = 0;

  beforeAll(async () => {
    cluster = await createTestCluster('state-cache', {
      guildCount,
      shardCount,
      resumeWindowMs: 60_000,
      // All four shards identify at once instead of one per 5 s.
      maxConcurrency: shardCount,
    });
    env = {
      ...cluster.env,
      CACHE_ENTITIES: 'guilds,channels,roles,members,threads,threadMembers,emojis',
      GATEWAY_INTENTS: 'Guilds,GuildMembers,GuildExpressions',
      // No worker runs: the cache must see its events though no handler wants them.
      GATEWAY_EVENTS: 'MESSAGE_CREATE',
      GATEWAY_LEASE_TTL_MS: '3000',
    };
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('equals the world after random changes across a kill -9 and a resume', { timeout: 60_000 }, async () => {
    await mutate(cluster, mutations.beforeStart, beforeStartMix);
    firstStartedAt = Date.now();
    const first = await startService('gateway', env, 'gateway-1');
    cluster.processes.push(first);
    const keys = new RedisKeys(cluster.keyPrefix);
    // Every guild's GUILD_CREATE is in the cache (READY marks them unavailable first).
    const availableGuilds = async () => {
      const pipeline = cluster.probe.redis.pipeline();
      for (const guild of cluster.simulator.guilds)
        pipeline.hget(keys.guildCache(guild.id).guild, 'unavailable');
      const results = (await pipeline.exec()) ?? [];
      return results.filter(([, unavailable]) => unavailable === 'false').length;
    };
    await expect.poll(availableGuilds, { timeout: 20_000 }).toBe(guildCount);

    // Cache writes now fail (the channel index is not a hash), so the gateway holds them and retries: the
    // shards' stored resume points must stay behind them, or the crash below loses them for good.
    const indexAside = `${cluster.keyPrefix}:test:channel-index-aside`;
    await cluster.probe.redis.rename(keys.cachedChannelGuilds(), indexAside);
    await cluster.probe.redis.set(keys.cachedChannelGuilds(), 'not a hash');
    await mutate(cluster, mutations.beforeCrash);
    const failedWrites = logMessageIs('applying cache writes to Redis failed; will retry');
    // Three failed attempts span more than one session flush (every 250 ms).
    await expect
      .poll(() => first.lines.filter(failedWrites).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    first.kill(); // SIGKILL: the held cache writes die with it
    await first.exited;
    await cluster.probe.redis.rename(indexAside, keys.cachedChannelGuilds());
    await mutate(cluster, mutations.whileDown);
    const identifiesBefore = cluster.simulator.stats().identifies;
    const second = await startService('gateway', env, 'gateway-2');
    cluster.processes.push(second);
    await expect
      .poll(() => second.lines.filter(logMessageIs('shard resumed')).length, { timeout: 15_000 })
      .toBe(shardCount);
    await mutate(cluster, mutations.afterResume);

    await expect
      .poll(() => differences(cluster, { threadMembersSince: firstStartedAt }), {
        timeout: 20_000,
        interval: 250,
      })
      .toEqual([]);
    // Resumed, not re-identified: the cache was kept whole by replays alone.
    expect(cluster.simulator.stats().identifies).toBe(identifiesBefore);
    const total = mutations.beforeStart + mutations.beforeCrash + mutations.whileDown + mutations.afterResume;
    const threads = cluster.simulator.guilds.reduce((sum, guild) => sum + guild.threads.length, 0);
    const emojis = cluster.simulator.guilds.reduce((sum, guild) => sum + guild.emojis.length, 0);
    const memberships = cluster.simulator.guilds.flatMap((guild) =>
      guild.threads.flatMap((each) => each.members),
    );
    const cachedMemberships = (
      await Promise.all(
        cluster.simulator.guilds.map((guild) =>
          cluster.probe.redis.hlen(keys.guildCache(guild.id).threadMembers),
        ),
      )
    ).reduce((sum, count) => sum + count, 0);
    const since = memberships.filter((member) => Date.parse(member.joinTimestamp) > firstStartedAt).length;
    console.log(
      `[measure] state cache: ${total} random changes across ${guildCount} guilds on ${shardCount} shards and a kill -9, cache equals the world (${threads} threads, ${emojis} emojis, ${cachedMemberships} thread memberships cached of ${memberships.length}, all ${since} made since the first start among them)`,
    );
  });

  it('answers handlers from the cache, permissions included, and falls back to REST on a miss', async () => {
    const outcomes: Record<string, number> = {};
    const cache = new RedisStateCache({
      redis: cluster.probe.redis,
      rest: new REST({ api: cluster.simulator.restUrl, version: '10' }).setToken(simulatorToken),
      keyPrefix: cluster.keyPrefix,
      fallbackTtlMs: 60_000,
      observer: {
        lookup: (entity: string, outcome: CacheLookupOutcome) => {
          outcomes[`${entity}:${outcome}`] = (outcomes[`${entity}:${outcome}`] ?? 0) + 1;
        },
      },
    });
    const guilds = cluster.simulator.guilds.slice(1, 6) as SimulatedGuild[];
    for (const guild of guilds) {
      expect((await cache.guild(guild.id))?.name).toBe(guild.name);
      expect((await cache.roles(guild.id)).length).toBe(guild.roles.length);
      for (const worldChannel of guild.channels) {
        const channel = (await cache.channel(worldChannel.id)) as CachedChannel;
        expect(channel.permission_overwrites).toEqual(worldChannel.permissionOverwrites ?? []);
        for (const worldMember of guild.members.slice(0, 5)) {
          const member = (await cache.member(guild.id, worldMember.user.id)) as CachedMember;
          const expected = permissionsIn(
            { guild: { id: guild.id, owner_id: guild.ownerId }, roles: guild.roles },
            { permission_overwrites: worldChannel.permissionOverwrites ?? [] },
            { ...member, roles: worldMember.roles },
          );
          expect(await cache.permissionsIn(channel, member)).toBe(expected);
        }
      }
    }
    // Threads resolve through `channel` and `thread`; their permissions are their parent channel's.
    let threadsChecked = 0;
    // Guilds 1 to 49 are small: GUILD_CREATE carried all their members, so every lookup is a hit.
    const withThreads = cluster.simulator.guilds.slice(1, 50).filter((each) => each.threads.length > 0);
    for (const guild of withThreads.slice(0, 5)) {
      expect(await cache.emojis(guild.id)).toEqual(
        guild.emojis.map((emoji) => expect.objectContaining({ id: emoji.id, name: emoji.name })),
      );
      for (const worldThread of guild.threads) {
        const thread = (await cache.thread(worldThread.id)) as CachedThread;
        expect(thread).toEqual(expectedThread(guild, worldThread));
        expect(await cache.channel(worldThread.id)).toEqual(thread);
        const parent = guild.channels.find((each) => each.id === worldThread.parentId);
        for (const worldMember of guild.members.slice(0, 5)) {
          const member = (await cache.member(guild.id, worldMember.user.id)) as CachedMember;
          const expected = permissionsIn(
            { guild: { id: guild.id, owner_id: guild.ownerId }, roles: guild.roles },
            { permission_overwrites: parent?.permissionOverwrites ?? [] },
            { ...member, roles: worldMember.roles },
          );
          expect(await cache.permissionsIn(thread, member)).toBe(expected);
        }
        threadsChecked += 1;
      }
      expect(await cache.thread(guild.channels[0]?.id ?? '')).toBeUndefined();
    }
    expect(threadsChecked).toBeGreaterThan(0);
    expect(Object.keys(outcomes).filter((outcome) => !outcome.endsWith(':hit'))).toEqual([]);

    // Memberships made since the first start are all kept by the gateways; an older one (a thread's
    // creator before the gateway came up) is asked of Discord.
    const memberships = withThreads.flatMap((guild) =>
      guild.threads.flatMap((each) => each.members.map((member) => ({ thread: each, member }))),
    );
    const announced = memberships.find(({ member }) => Date.parse(member.joinTimestamp) > firstStartedAt);
    expect(announced).toBeDefined();
    if (announced) {
      const { thread, member } = announced;
      expect(await cache.threadMember(thread.id, member.userId)).toEqual(
        expectedThreadMember(thread, member),
      );
    }
    expect(outcomes['threadMember:hit']).toBe(1);

    // A worker whose cache holds nothing (another key prefix) gets the same threads, memberships and emoji
    // sets over REST, kept for the TTL: a second read is a fallback hit.
    const restOnly = new RedisStateCache({
      redis: cluster.probe.redis,
      rest: new REST({ api: cluster.simulator.restUrl, version: '10' }).setToken(simulatorToken),
      keyPrefix: `${cluster.keyPrefix}:rest-only`,
      fallbackTtlMs: 60_000,
      observer: {
        lookup: (entity: string, outcome: CacheLookupOutcome) => {
          outcomes[`rest-only ${entity}:${outcome}`] = (outcomes[`rest-only ${entity}:${outcome}`] ?? 0) + 1;
        },
      },
    });
    const sample = withThreads.slice(0, 3);
    let fetchedThreads = 0;
    let fetchedMemberships = 0;
    for (let read = 0; read < 2; read += 1) {
      for (const guild of sample) {
        expect(await restOnly.emojis(guild.id)).toEqual(guild.emojis.map(compactEmoji));
        for (const worldThread of guild.threads.slice(0, 3)) {
          expect(await restOnly.thread(worldThread.id)).toEqual(expectedThread(guild, worldThread));
          if (read === 0) fetchedThreads += 1;
          for (const member of worldThread.members.slice(0, 2)) {
            expect(await restOnly.threadMember(worldThread.id, member.userId)).toEqual(
              expectedThreadMember(worldThread, member),
            );
            if (read === 0) fetchedMemberships += 1;
          }
          expect(await restOnly.threadMember(worldThread.id, '1')).toBeUndefined();
        }
      }
    }
    expect(fetchedMemberships).toBeGreaterThan(0);
    expect(outcomes).toMatchObject({
      'rest-only emojis:fallback': sample.length,
      'rest-only emojis:fallbackHit': sample.length,
      'rest-only thread:fallback': fetchedThreads,
      'rest-only thread:fallbackHit': fetchedThreads,
      'rest-only threadMember:fallback': fetchedMemberships,
      'rest-only threadMember:fallbackHit': fetchedMemberships,
      // Absence is not kept: each read of a non-member asks again.
      'rest-only threadMember:missing': 2 * fetchedThreads,
    });

    // The largest guild's GUILD_CREATE carried only the bot: its other members come over REST, once.
    const large = cluster.simulator.guilds[0] as SimulatedGuild;
    const cachedIds = new Set(
      await cluster.probe.redis.hkeys(new RedisKeys(cluster.keyPrefix).guildCache(large.id).members),
    );
    const notCached = large.members.find((member) => !cachedIds.has(member.user.id));
    expect(notCached).toBeDefined();
    const userId = notCached?.user.id ?? '';
    const fetched = await cache.member(large.id, userId);
    expect(fetched).toMatchObject({ id: userId, guild_id: large.id, roles: notCached?.roles });
    expect(await cache.member(large.id, userId)).toEqual(fetched);
    expect(outcomes['member:fallback']).toBe(1);
    expect(outcomes['member:fallbackHit']).toBe(1);
    expect(await cache.member(large.id, '1')).toBeUndefined();
  });
});
