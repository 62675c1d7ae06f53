import {
  type APIInteractionResponseCallbackData,
  type APIMessage,
  InteractionResponseType,
} from 'discord-api-types/v10';
import { botMessage } from '../../model/payloads/message-payloads.js';
import { asRecord, invalidFormBody, RestError, type RouteDefinition } from '../rest-route.js';
import type { PendingInteraction, RestState } from '../rest-state.js';
import { validateMessageBody } from './message-routes.js';

const validCallbackTypes = new Set<number>([1, 4, 5, 6, 7, 8, 9, 10, 12]);
/** Types that create the original response message. */
const messageCallbackTypes = new Set<number>([
  InteractionResponseType.ChannelMessageWithSource,
  InteractionResponseType.DeferredChannelMessageWithSource,
]);

function unknownInteraction(): RestError {
  return new RestError(404, { code: 10062, message: 'Unknown interaction' });
}

function unknownWebhook(): RestError {
  return new RestError(404, { code: 10015, message: 'Unknown Webhook' });
}

export function interactionRoutes(state: RestState, responseWindowMs: number): RouteDefinition[] {
  const webhookMajor = ([applicationId, token]: string[]) => `${applicationId}:${token}`;
  const interactionFor = ([applicationId = '', token = '']: string[]): PendingInteraction => {
    const interaction = state.interactionByToken(applicationId, token);
    if (!interaction) throw unknownWebhook();
    return interaction;
  };
  const messageOf = (interaction: PendingInteraction, messageId: string): APIMessage => {
    const id = messageId === '@original' ? interaction.messageIds[0] : messageId;
    const message =
      id && interaction.messageIds.includes(id) ? state.message(interaction.channelId, id) : undefined;
    if (!message) throw new RestError(404, { code: 10008, message: 'Unknown Message' });
    return message;
  };
  const send = (interaction: PendingInteraction, data: Record<string, unknown>): APIMessage => {
    const message = botMessage({
      world: state.world,
      id: state.ids.next(),
      channelId: interaction.channelId,
      body: data as { content?: string },
    });
    // Ephemeral responses exist only for the invoking user; the channel (and the bot) never sees them,
    // nor does the channel's history.
    const ephemeral = ((data.flags as number | undefined) ?? 0) & 64;
    state.rememberMessage(message, { inHistory: !ephemeral });
    interaction.messageIds.push(message.id);
    if (!ephemeral) {
      state.dispatch(
        'MESSAGE_CREATE',
        { ...message, guild_id: interaction.guildId },
        interaction.guildId || undefined,
      );
    }
    return message;
  };

  return [
    {
      method: 'POST',
      pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback\/?$/,
      route: ([id]) => `/interactions/${id}/:token/callback`,
      bucket: state.policies.interactionCallback,
      majorParameter: ([id, token]) => `${id}:${token}`,
      interactionRoute: true,
      handle: ({ body, params: [id = '', token = ''], query }) => {
        const interaction = state.interactions.get(id);
        if (!interaction || interaction.token !== token) throw unknownInteraction();
        if (interaction.acknowledged) {
          throw new RestError(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
        }
        if (Date.now() - interaction.deliveredAt > responseWindowMs) throw unknownInteraction();
        const payload = asRecord(body) as { type?: unknown; data?: APIInteractionResponseCallbackData };
        if (typeof payload.type !== 'number' || !validCallbackTypes.has(payload.type)) {
          throw invalidFormBody('type', 'BASE_TYPE_CHOICES', 'Value must be one of the callback types.');
        }
        if (payload.data !== undefined) validateMessageBody(asRecord(payload.data), false);
        interaction.acknowledged = true;
        const original = messageCallbackTypes.has(payload.type)
          ? send(interaction, asRecord(payload.data))
          : undefined;
        if (query.get('with_response') !== 'true') return { status: 204 };
        return {
          status: 200,
          body: {
            interaction: {
              id: interaction.id,
              type: 2,
              activity_instance_id: null,
              response_message_id: original?.id ?? null,
              response_message_loading:
                payload.type === InteractionResponseType.DeferredChannelMessageWithSource,
              response_message_ephemeral: ((payload.data?.flags ?? 0) & 64) !== 0,
            },
            ...(original ? { resource: { type: payload.type, message: original } } : {}),
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/?$/,
      route: ([applicationId]) => `/webhooks/${applicationId}/:token`,
      bucket: state.policies.webhook,
      majorParameter: webhookMajor,
      interactionRoute: true,
      handle: ({ body, params }) => {
        const interaction = interactionFor(params);
        const payload = asRecord(body);
        validateMessageBody(payload, true);
        return { status: 200, body: send(interaction, payload) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)\/?$/,
      route: ([applicationId, , messageId]) => `/webhooks/${applicationId}/:token/messages/${messageId}`,
      bucket: state.policies.webhook,
      majorParameter: webhookMajor,
      interactionRoute: true,
      handle: ({ params }) => ({ status: 200, body: messageOf(interactionFor(params), params[2] ?? '') }),
    },
    {
      method: 'PATCH',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)\/?$/,
      route: ([applicationId, , messageId]) => `/webhooks/${applicationId}/:token/messages/${messageId}`,
      bucket: state.policies.webhook,
      majorParameter: webhookMajor,
      interactionRoute: true,
      handle: ({ body, params }) => {
        const interaction = interactionFor(params);
        const message = messageOf(interaction, params[2] ?? '');
        const payload = asRecord(body);
        validateMessageBody(payload, false);
        const edited = {
          ...message,
          ...(typeof payload.content === 'string' ? { content: payload.content } : {}),
          edited_timestamp: new Date().toISOString(),
        };
        state.rememberMessage(edited);
        state.dispatch(
          'MESSAGE_UPDATE',
          { ...edited, guild_id: interaction.guildId },
          interaction.guildId || undefined,
        );
        return { status: 200, body: edited };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)\/?$/,
      route: ([applicationId, , messageId]) => `/webhooks/${applicationId}/:token/messages/${messageId}`,
      bucket: state.policies.webhook,
      majorParameter: webhookMajor,
      interactionRoute: true,
      handle: ({ params }) => {
        const interaction = interactionFor(params);
        const message = messageOf(interaction, params[2] ?? '');
        state.forgetMessage(message.channel_id, message.id);
        state.dispatch(
          'MESSAGE_DELETE',
          { id: message.id, channel_id: message.channel_id, guild_id: interaction.guildId },
          interaction.guildId || undefined,
        );
        return { status: 204 };
      },
    },
  ];
}
