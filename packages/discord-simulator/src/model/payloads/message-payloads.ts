import { type APIMessage, type GatewayMessageCreateDispatchData, MessageType } from 'discord-api-types/v10';
import type { SeededRandom } from '../seeded-random.js';
import type { SnowflakeGenerator } from '../snowflake.js';
import type { SimulatedWorld } from '../world.js';
import { resolveActor } from './event-actor.js';

/** Discord's message timestamps carry microseconds and an explicit offset. */
export function discordTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000+00:00');
}

export interface MessageInput {
  guildId?: string;
  channelId?: string;
  authorId?: string;
  content?: string;
  /**
   * When the message was sent (epoch ms), for back-dated history (e.g. messages older than bulk delete's
   * 14 days); default now. Its id encodes that time, as Discord's do.
   */
  sentAt?: number;
}

/** A MESSAGE_CREATE as a user in a guild text channel would produce it. */
export function messageCreatePayload(input: {
  world: SimulatedWorld;
  ids: SnowflakeGenerator;
  random: SeededRandom;
  message: MessageInput;
}): GatewayMessageCreateDispatchData {
  const { message } = input;
  const { guild, channel, member } = resolveActor(input.world, input.random, {
    guildId: message.guildId,
    channelId: message.channelId,
    userId: message.authorId,
  });
  const channelId = channel.id;
  const now = message.sentAt ?? Date.now();
  const { user, ...memberWithoutUser } = member;
  return {
    id: input.ids.next(now),
    channel_id: channelId,
    guild_id: guild.id,
    author: user,
    member: memberWithoutUser,
    // Sessions without MESSAGE_CONTENT get it stripped at dispatch (GatewayServer.dispatch).
    content: message.content ?? `hello from ${user.username}`,
    timestamp: discordTimestamp(now),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: MessageType.Default,
    flags: 0,
    components: [],
  } as unknown as GatewayMessageCreateDispatchData;
}

/** The message object Discord returns for a message the bot created. */
export function botMessage(input: {
  world: SimulatedWorld;
  id: string;
  channelId: string;
  body: {
    content?: string;
    embeds?: unknown[];
    components?: unknown[];
    nonce?: string | number;
    tts?: boolean;
  };
}): APIMessage {
  return {
    id: input.id,
    channel_id: input.channelId,
    author: input.world.botUser,
    content: input.body.content ?? '',
    timestamp: discordTimestamp(Date.now()),
    edited_timestamp: null,
    tts: input.body.tts ?? false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: (input.body.embeds ?? []) as APIMessage['embeds'],
    pinned: false,
    type: MessageType.Default,
    flags: 0,
    components: (input.body.components ?? []) as APIMessage['components'],
    ...(input.body.nonce !== undefined ? { nonce: input.body.nonce } : {}),
  } as unknown as APIMessage;
}
