import { type APIMessage, ChannelType } from 'discord-api-types/v10';
import { botMessage } from '../../model/payloads/message-payloads.js';
import { threadPayload } from '../../model/payloads/thread-payloads.js';
import { snowflakeTimestampMs } from '../../model/snowflake.js';
import { asRecord, invalidFormBody, RestError, type RouteDefinition } from '../rest-route.js';
import type { RestState } from '../rest-state.js';
import { guildChannelObject } from './guild-read-routes.js';

const fourteenDaysMs = 14 * 86_400_000;

/** Validates a message body as Discord does for create and edit; `requireSomething` only on create. */
export function validateMessageBody(body: Record<string, unknown>, requireSomething: boolean): void {
  if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
    throw invalidFormBody('content', 'BASE_TYPE_STRING', 'Must be a string.');
  }
  if (typeof body.content === 'string' && body.content.length > 2_000) {
    throw invalidFormBody('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  if (Array.isArray(body.embeds) && body.embeds.length > 10) {
    throw invalidFormBody('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  }
  if (typeof body.nonce === 'string' && body.nonce.length > 25) {
    throw invalidFormBody('nonce', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  }
  const has = (key: string) => {
    const value = body[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== '';
  };
  if (requireSomething && !['content', 'embeds', 'sticker_ids', 'components', 'files', 'poll'].some(has)) {
    throw new RestError(400, { code: 50006, message: 'Cannot send an empty message' });
  }
}

function textChannel(state: RestState, channelId: string) {
  const guildChannel = state.world.channels.get(channelId);
  if (guildChannel) {
    if (guildChannel.channel.type !== ChannelType.GuildText) {
      throw new RestError(400, { code: 50008, message: 'Cannot send messages in a non-text channel' });
    }
    return { guildId: guildChannel.guildId as string | undefined };
  }
  if (dmRecipientOf(state, channelId) !== undefined) return { guildId: undefined };
  throw new RestError(404, { code: 10003, message: 'Unknown Channel' });
}

/** The user a DM channel the bot opened is with, or undefined when it is no DM channel. */
function dmRecipientOf(state: RestState, channelId: string): string | undefined {
  for (const [userId, dmChannelId] of state.dmChannels) if (dmChannelId === channelId) return userId;
  return undefined;
}

/** Discord keeps an enforced nonce "for a few minutes"; the simulator five. */
const nonceLifetimeMs = 5 * 60_000;

/** The message an enforced nonce created within its lifetime; expired ones are dropped on the way. */
function recentNonce(state: RestState, key: string): APIMessage | undefined {
  const expiredBefore = Date.now() - nonceLifetimeMs;
  for (const [oldestKey, entry] of state.enforcedNonces) {
    if (entry.at >= expiredBefore) break;
    state.enforcedNonces.delete(oldestKey);
  }
  return state.enforcedNonces.get(key)?.message;
}

const snowflakeQuery = /^\d{1,20}$/;

/** `limit` (1–100, default 50) and the one cursor Discord honours (`around`, else `before`, else `after`). */
function historyQuery(query: URLSearchParams) {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? 50 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'Must be between 1 and 100.');
  }
  const cursor = (name: 'around' | 'before' | 'after') => {
    const value = query.get(name);
    if (value === null) return undefined;
    if (!snowflakeQuery.test(value))
      throw invalidFormBody(name, 'NUMBER_TYPE_COERCE', 'Value is not snowflake.');
    return value;
  };
  const around = cursor('around');
  if (around !== undefined) return { around, limit };
  const before = cursor('before');
  if (before !== undefined) return { before, limit };
  const after = cursor('after');
  return after !== undefined ? { after, limit } : { limit };
}

export function messageRoutes(state: RestState): RouteDefinition[] {
  const channelMajor = ([channelId]: string[]) => channelId ?? '';
  return [
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/?$/,
      route: ([channelId]) => `/channels/${channelId}`,
      bucket: state.policies.getChannel,
      majorParameter: channelMajor,
      handle: ({ params: [channelId = ''] }) => {
        const entry = state.world.channels.get(channelId);
        const recipientId = entry ? undefined : dmRecipientOf(state, channelId);
        if (recipientId !== undefined) {
          const recipient = state.world.users.get(recipientId);
          return {
            status: 200,
            body: {
              id: channelId,
              type: ChannelType.DM,
              last_message_id: null,
              flags: 0,
              recipients: [recipient],
            },
          };
        }
        if (entry) return { status: 200, body: guildChannelObject(entry.channel, entry.guildId) };
        // Threads, archived ones too (Discord answers for them as long as the thread exists).
        const found = state.thread(channelId);
        if (found) return { status: 200, body: threadPayload(found.guild, found.thread) };
        throw new RestError(404, { code: 10003, message: 'Unknown Channel' });
      },
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/messages\/?$/,
      route: ([channelId]) => `/channels/${channelId}/messages`,
      bucket: state.policies.getMessages,
      majorParameter: channelMajor,
      handle: ({ params: [channelId = ''], query }) => {
        textChannel(state, channelId);
        return { status: 200, body: state.channelMessages(channelId, historyQuery(query)) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/?$/,
      route: ([channelId, messageId]) => `/channels/${channelId}/messages/${messageId}`,
      bucket: state.policies.getMessages,
      majorParameter: channelMajor,
      handle: ({ params: [channelId = '', messageId = ''] }) => {
        textChannel(state, channelId);
        const message = state.message(channelId, messageId);
        if (!message) throw new RestError(404, { code: 10008, message: 'Unknown Message' });
        return { status: 200, body: message };
      },
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages\/?$/,
      route: ([channelId]) => `/channels/${channelId}/messages`,
      bucket: state.policies.createMessage,
      majorParameter: channelMajor,
      handle: ({ body, params: [channelId = ''] }) => {
        const { guildId } = textChannel(state, channelId);
        const payload = asRecord(body);
        validateMessageBody(payload, true);
        const recipientId = guildId ? undefined : dmRecipientOf(state, channelId);
        if (recipientId !== undefined && state.closedDirectMessages.has(recipientId)) {
          throw new RestError(403, { code: 50007, message: 'Cannot send messages to this user' });
        }
        const nonceKey =
          payload.enforce_nonce === true && payload.nonce !== undefined
            ? `${channelId}:${String(payload.nonce)}`
            : undefined;
        const repeated = nonceKey === undefined ? undefined : recentNonce(state, nonceKey);
        if (repeated) return { status: 200, body: repeated };
        const message = botMessage({
          world: state.world,
          id: state.ids.next(),
          channelId,
          body: payload as { content?: string },
        });
        state.rememberMessage(message);
        if (nonceKey !== undefined) state.enforcedNonces.set(nonceKey, { message, at: Date.now() });
        state.dispatch('MESSAGE_CREATE', guildId ? { ...message, guild_id: guildId } : message, guildId);
        return { status: 200, body: message };
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/?$/,
      route: ([channelId, messageId]) => `/channels/${channelId}/messages/${messageId}`,
      bucket: state.policies.editMessage,
      majorParameter: channelMajor,
      handle: ({ body, params: [channelId = '', messageId = ''] }) => {
        const { guildId } = textChannel(state, channelId);
        const message = state.message(channelId, messageId);
        if (!message) throw new RestError(404, { code: 10008, message: 'Unknown Message' });
        if (message.author.id !== state.world.botUser.id) {
          throw new RestError(403, {
            code: 50005,
            message: 'Cannot edit a message authored by another user',
          });
        }
        const payload = asRecord(body);
        validateMessageBody(payload, false);
        const edited: APIMessage = {
          ...message,
          ...(typeof payload.content === 'string' ? { content: payload.content } : {}),
          ...(Array.isArray(payload.embeds) ? { embeds: payload.embeds as APIMessage['embeds'] } : {}),
          edited_timestamp: new Date().toISOString(),
        };
        state.rememberMessage(edited);
        state.dispatch('MESSAGE_UPDATE', guildId ? { ...edited, guild_id: guildId } : edited, guildId);
        return { status: 200, body: edited };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/?$/,
      route: ([channelId, messageId]) => `/channels/${channelId}/messages/${messageId}`,
      bucket: state.policies.deleteMessage,
      majorParameter: channelMajor,
      handle: ({ params: [channelId = '', messageId = ''] }) => {
        const { guildId } = textChannel(state, channelId);
        if (!state.message(channelId, messageId))
          throw new RestError(404, { code: 10008, message: 'Unknown Message' });
        state.forgetMessage(channelId, messageId);
        state.dispatch(
          'MESSAGE_DELETE',
          { id: messageId, channel_id: channelId, ...(guildId ? { guild_id: guildId } : {}) },
          guildId,
        );
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages\/bulk-delete\/?$/,
      route: ([channelId]) => `/channels/${channelId}/messages/bulk-delete`,
      bucket: state.policies.bulkDelete,
      majorParameter: channelMajor,
      handle: ({ body, params: [channelId = ''] }) => {
        const { guildId } = textChannel(state, channelId);
        if (!guildId)
          throw new RestError(403, { code: 50003, message: 'Cannot execute action on a DM channel' });
        const ids = asRecord(body).messages;
        if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && /^\d{1,20}$/.test(id))) {
          throw invalidFormBody(
            'messages',
            'BASE_TYPE_REQUIRED',
            'This field is required and must list message ids.',
          );
        }
        if (ids.length < 2 || ids.length > 100) {
          throw new RestError(400, {
            code: 50016,
            message:
              'Provided too few or too many messages to delete. Must provide at least 2 and fewer than 100 messages to delete.',
          });
        }
        if (new Set(ids).size !== ids.length) {
          throw invalidFormBody(
            'messages',
            'BINARY_TYPE_DUPLICATE',
            'Duplicate message ids are not allowed.',
          );
        }
        if (ids.some((id) => Date.now() - snowflakeTimestampMs(id) > fourteenDaysMs)) {
          throw new RestError(400, {
            code: 50034,
            message: 'You can only bulk delete messages that are under 14 days old.',
          });
        }
        for (const id of ids) state.forgetMessage(channelId, id);
        state.dispatch('MESSAGE_DELETE_BULK', { ids, channel_id: channelId, guild_id: guildId }, guildId);
        return { status: 204 };
      },
    },
  ];
}
