import type { ModerationBotClient } from '../database.js';

/** Per-guild settings (`/config`): for now the mod-log channel. */
export class GuildConfigStore {
  readonly #prisma: ModerationBotClient;

  constructor(prisma: ModerationBotClient) {
    this.#prisma = prisma;
  }

  async modlogChannel(guildId: string): Promise<string | undefined> {
    const config = await this.#prisma.guildConfig.findUnique({ where: { guildId: BigInt(guildId) } });
    return config?.modlogChannelId?.toString();
  }

  async setModlogChannel(guildId: string, channelId: string | null): Promise<void> {
    const modlogChannelId = channelId === null ? null : BigInt(channelId);
    await this.#prisma.guildConfig.upsert({
      where: { guildId: BigInt(guildId) },
      create: { guildId: BigInt(guildId), modlogChannelId },
      update: { modlogChannelId },
    });
  }
}
