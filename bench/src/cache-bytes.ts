import { randomUUID } from 'node:crypto';
import { SnowflakeGenerator } from '@dgc/discord-simulator';
import { StateCacheWriter } from '@dgc/gateway';
import { createLogger, createRedisConnection, RedisKeys, singleRedis } from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import { redisUrl } from './harness/bench-cluster.js';

const guilds = 200;
const channelsPerGuild = 20;
const rolesPerGuild = 15;
const membersPerGuild = 100;

/** A GUILD_CREATE of the reference guild: skeleton, 20 channels (half with 2 overwrites), 15 roles. */
function guildCreate(ids: SnowflakeGenerator, index: number): GatewayDispatchPayload {
  const id = ids.next();
  const roles = Array.from({ length: rolesPerGuild }, (_, position) => ({
    id: position === 0 ? id : ids.next(),
    name: position === 0 ? '@everyone' : `Role number ${position}`,
    color: 3_447_003,
    hoist: position % 3 === 0,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: position === 0 ? '2248473465835073' : '1071698660929',
    managed: false,
    mentionable: false,
    flags: 0,
  }));
  const channels = Array.from({ length: channelsPerGuild }, (_, position) => ({
    id: ids.next(),
    type: position % 5 === 4 ? 2 : 0,
    name: `channel-name-${position}`,
    position,
    parent_id: null,
    nsfw: false,
    topic: 'A channel topic that the cache does not keep',
    permission_overwrites:
      position % 2 === 0
        ? []
        : [
            { id, type: 0, allow: '0', deny: '2048' },
            { id: roles[1]?.id ?? id, type: 0, allow: '3072', deny: '0' },
          ],
  }));
  const members = Array.from({ length: membersPerGuild }, (_, member) => ({
    user: {
      id: ids.next(),
      username: `member${member}`,
      global_name: null,
      avatar: null,
      discriminator: '0',
    },
    roles: member % 4 === 0 ? [roles[1]?.id ?? id] : [],
    nick: member % 10 === 0 ? `Nickname ${member}` : null,
    joined_at: '2024-05-01T12:00:00.000000+00:00',
    communication_disabled_until: null,
    deaf: false,
    mute: false,
    flags: 0,
  }));
  return {
    op: 0,
    s: index + 2,
    t: 'GUILD_CREATE',
    d: {
      id,
      name: `Bench guild ${index}`,
      owner_id: ids.next(),
      icon: null,
      member_count: 150,
      unavailable: false,
      channels,
      roles,
      members,
    },
  } as unknown as GatewayDispatchPayload;
}

/**
 * Redis bytes of the state cache, by `MEMORY USAGE` of its keys (exact: every field counted), after the
 * gateway's writer cached 200 reference guilds with 100 members each: bytes per guild (skeleton, channels,
 * roles and its share of the channel index) and per cached member.
 */
export async function cacheRedisBytes() {
  const redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'bench:cache-bytes' });
  const keyPrefix = `bench:cache-bytes:${randomUUID().slice(0, 8)}`;
  const keys = new RedisKeys(keyPrefix);
  const writer = new StateCacheWriter({
    redisTarget: singleRedis(redisUrl),
    keyPrefix,
    entities: new Set(['guilds', 'channels', 'roles', 'members']),
    maxEvents: 500,
    maxWaitMs: 5,
    maxBuffered: 100_000,
    maxPendingEntries: 20_000,
    leases: { holds: () => true },
    logger: createLogger({ name: 'bench', level: 'silent' }),
  });
  try {
    const ids = new SnowflakeGenerator(3);
    const guildIds: string[] = [];
    for (let index = 0; index < guilds; index += 1) {
      const dispatch = guildCreate(ids, index);
      guildIds.push((dispatch.d as { id: string }).id);
      writer.apply(dispatch, 0, { confirm: () => {} });
    }
    await writer.drain(AbortSignal.timeout(120_000));
    const usage = async (key: string) => Number((await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
    let guildBytes = await usage(keys.cachedChannelGuilds());
    let memberBytes = 0;
    for (const guildId of guildIds) {
      const guild = keys.guildCache(guildId);
      guildBytes += (await usage(guild.guild)) + (await usage(guild.channels)) + (await usage(guild.roles));
      memberBytes += await usage(guild.members);
    }
    return {
      guilds,
      shape: `skeleton + ${channelsPerGuild} channels + ${rolesPerGuild} roles`,
      bytesPerGuild: Math.round(guildBytes / guilds),
      bytesPerMember: Math.round(memberBytes / (guilds * membersPerGuild)),
    };
  } finally {
    await writer.close();
    const found = await redis.keys(keys.everything());
    if (found.length > 0) await redis.unlink(...found);
    await redis.quit();
  }
}
