import { GatewayCommandError, sendGatewayCommand } from '@dgc/shared';
import { GatewayOpcodes } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { startService } from './support/services.js';

describe('gateway commands through Redis', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await createTestCluster('gateway-commands', { guildCount: 4 });
    cluster.processes.push(
      await startService('gateway', {
        ...cluster.env,
        GATEWAY_EVENTS: 'GUILD_MEMBERS_CHUNK',
        GATEWAY_INTENTS: 'Guilds,GuildMembers',
      }),
    );
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('has the owner of a shard send a request for guild members another process queued', {
    timeout: 30_000,
  }, async () => {
    const shardId =
      [1, 0].find((candidate) => cluster.simulator.guildsForShard(candidate, 2).length > 0) ?? 0;
    const [guild] = cluster.simulator.guildsForShard(shardId, 2);
    expect(guild).toBeDefined();
    await sendGatewayCommand(cluster.probe.redis, cluster.keyPrefix, shardId, {
      op: GatewayOpcodes.RequestGuildMembers,
      d: { guild_id: guild?.id ?? '', query: '', limit: 0, nonce: 'from-another-process' },
    });
    // Discord answers on the same shard with GUILD_MEMBERS_CHUNK, which the gateway forwards.
    await expect
      .poll(
        async () =>
          (await cluster.probe.queue('events').getWaiting()).some(
            (job) =>
              job.name === 'GUILD_MEMBERS_CHUNK' &&
              (job.data as { payload: { nonce?: string } }).payload.nonce === 'from-another-process',
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  it('refuses opcodes that would break the session, and oversize payloads', async () => {
    await expect(
      sendGatewayCommand(cluster.probe.redis, cluster.keyPrefix, 0, {
        op: GatewayOpcodes.Identify,
        d: { token: 'x', properties: { os: 'x', browser: 'x', device: 'x' }, intents: 0 },
      }),
    ).rejects.toBeInstanceOf(GatewayCommandError);
    await expect(
      sendGatewayCommand(cluster.probe.redis, cluster.keyPrefix, 0, {
        op: GatewayOpcodes.RequestGuildMembers,
        d: { guild_id: '1', query: 'x'.repeat(5_000), limit: 0 },
      }),
    ).rejects.toThrow(/exceeds Discord's 4096/);
  });
});
