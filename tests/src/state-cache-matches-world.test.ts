import { permissionsIn } from '@dgc/bot-sdk';
import { type CacheLookupOutcome, RedisStateCache } from '@dgc/bot-sdk/runtime';
import type { SimulatedGuild } from '@dgc/discord-simulator';
import { type CachedChannel, type CachedMember, RedisKeys } from '@dgc/shared';
import { REST } from '@discordjs/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { logMessageIs, simulatorToken, startService } from './support/services.js';

const shardCount = 4;
const guildCount = 200;
/** The figures: 10,000 random changes across 200 guilds on 4 shards (about 10 s here). */
const mutations = { beforeCrash: 4_000, whileDown: 2_000, afterResume: 4_000 };

/** Lets the simulator's sockets send what was dispatched (mutations are dispatched synchronously). */
const yieldToSockets = () => new Promise((resolve) => setImmediate(resolve));

async function mutate(cluster: TestCluster, count: number): Promise<void> {
  for (let done = 0; done < count; done += 100) {
    cluster.simulator.mutateState(Math.min(100, count - done));
    await yieldToSockets();
  }
}

/**
 * Every difference between the gateways' state cache in Redis and the simulator's world, compared field
 * by field: each guild's skeleton, every channel (with its overwrites) and role, and every cached member
 * (members are cached from GUILD_CREATE and member events, so the cache holds a subset of them).
 */
async function differences(cluster: TestCluster): Promise<string[]> {
  const redis = cluster.probe.redis;
  const keys = new RedisKeys(cluster.keyPrefix);
  const found: string[] = [];
  const index = await redis.hgetall(keys.cachedChannelGuilds());
  const indexedChannels = new Set(Object.keys(index));
  for (const guild of cluster.simulator.guilds) {
    const guildKeys = keys.guildCache(guild.id);
    const [stored, channels, roles, members] = await Promise.all([
      redis.hgetall(guildKeys.guild),
      redis.hgetall(guildKeys.channels),
      redis.hgetall(guildKeys.roles),
      redis.hgetall(guildKeys.members),
    ]);
    const field = (name: string) => (stored[name] === undefined ? undefined : JSON.parse(stored[name]));
    const expectField = (name: string, expected: unknown) => {
      if (JSON.stringify(field(name)) !== JSON.stringify(expected))
        found.push(`guild ${guild.id} ${name}: ${JSON.stringify(field(name))} ≠ ${JSON.stringify(expected)}`);
    };
    expectField('name', guild.name);
    expectField('owner_id', guild.ownerId);
    expectField('unavailable', false);

    const expectedChannels = new Map(
      guild.channels.map((channel) => [
        channel.id,
        {
          id: channel.id,
          guild_id: guild.id,
          type: channel.type,
          name: channel.name,
          position: channel.position,
          parent_id: channel.parentId ?? null,
          permission_overwrites: channel.permissionOverwrites ?? [],
        },
      ]),
    );
    compareCollection(found, `guild ${guild.id} channel`, channels, expectedChannels);
    for (const id of expectedChannels.keys()) {
      indexedChannels.delete(id);
      if (index[id] !== guild.id) found.push(`channel index ${id}: ${index[id]} ≠ ${guild.id}`);
    }

    const expectedRoles = new Map(
      guild.roles.map((role) => [
        role.id,
        {
          id: role.id,
          name: role.name,
          permissions: role.permissions,
          position: role.position,
          managed: role.managed,
          color: role.color,
          hoist: role.hoist,
          mentionable: role.mentionable,
        },
      ]),
    );
    compareCollection(found, `guild ${guild.id} role`, roles, expectedRoles);

    const worldMembers = new Map(guild.members.map((member) => [member.user.id, member]));
    for (const [userId, json] of Object.entries(members)) {
      const member = worldMembers.get(userId);
      if (!member) {
        found.push(`guild ${guild.id} member ${userId}: cached but not in the guild`);
        continue;
      }
      const expected = {
        id: userId,
        guild_id: guild.id,
        roles: member.roles,
        nick: member.nick ?? null,
        communication_disabled_until: member.communication_disabled_until ?? null,
        joined_at: member.joined_at ?? null,
      };
      if (json !== JSON.stringify(expected))
        found.push(`guild ${guild.id} member ${userId}: ${json} ≠ ${JSON.stringify(expected)}`);
    }
    // Members who joined during the test were announced one by one: each must be cached.
    for (const member of guild.members) {
      if (member.user.username.startsWith('joiner') && members[member.user.id] === undefined)
        found.push(`guild ${guild.id} member ${member.user.id}: joined but not cached`);
    }
  }
  for (const id of indexedChannels) found.push(`channel index ${id}: no such channel`);
  return found;
}

function compareCollection(
  found: string[],
  label: string,
  stored: Record<string, string>,
  expected: Map<string, object>,
): void {
  for (const [id, entity] of expected) {
    if (stored[id] === undefined) found.push(`${label} ${id}: missing`);
    else if (stored[id] !== JSON.stringify(entity))
      found.push(`${label} ${id}: ${stored[id]} ≠ ${JSON.stringify(entity)}`);
  }
  for (const id of Object.keys(stored))
    if (!expected.has(id)) found.push(`${label} ${id}: deleted but cached`);
}

/**
 * The shared state cache under random changes and a crash: gateways on 4 shards keep guilds, channels,
 * roles and members in Redis while the simulator changes them; the gateway is killed with writes in flight
 * and its successor resumes; afterwards the cache equals the simulator's world, field by field.
 */
describe('shared state cache', () => {
  let cluster: TestCluster;
  let env: NodeJS.ProcessEnv;

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
      CACHE_ENTITIES: 'guilds,channels,roles,members',
      GATEWAY_INTENTS: 'Guilds,GuildMembers',
      // No worker runs: the cache must see its events though no handler wants them.
      GATEWAY_EVENTS: 'MESSAGE_CREATE',
      GATEWAY_LEASE_TTL_MS: '3000',
    };
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('equals the world after random changes across a kill -9 and a resume', { timeout: 60_000 }, async () => {
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

    await expect.poll(() => differences(cluster), { timeout: 20_000, interval: 250 }).toEqual([]);
    // Resumed, not re-identified: the cache was kept whole by replays alone.
    expect(cluster.simulator.stats().identifies).toBe(identifiesBefore);
    const total = mutations.beforeCrash + mutations.whileDown + mutations.afterResume;
    console.log(
      `[measure] state cache: ${total} random changes across ${guildCount} guilds on ${shardCount} shards and a kill -9, cache equals the world`,
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
    expect(Object.keys(outcomes).filter((outcome) => !outcome.endsWith(':hit'))).toEqual([]);

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
