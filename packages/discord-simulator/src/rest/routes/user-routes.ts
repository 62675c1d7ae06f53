import { ChannelType } from 'discord-api-types/v10';
import { asRecord, invalidFormBody, RestError, type RouteDefinition } from '../rest-route.js';
import type { RestState } from '../rest-state.js';

/** What the gateway routes answer: the gateway URL, and the shard count and identify budget with it. */
export interface GatewayDirectory {
  readonly url: string;
  bot(): unknown;
}

export function userRoutes(state: RestState, gateway: GatewayDirectory): RouteDefinition[] {
  return [
    {
      method: 'GET',
      pattern: /^\/gateway\/?$/,
      route: () => '/gateway',
      interactionRoute: true,
      handle: () => ({ status: 200, body: { url: gateway.url } }),
    },
    {
      method: 'GET',
      pattern: /^\/gateway\/bot\/?$/,
      route: () => '/gateway/bot',
      bucket: state.policies.gatewayBot,
      handle: () => ({ status: 200, body: gateway.bot() }),
    },
    {
      method: 'GET',
      pattern: /^\/users\/@me\/?$/,
      route: () => '/users/@me',
      handle: () => ({
        status: 200,
        body: {
          ...state.world.botUser,
          verified: true,
          mfa_enabled: false,
          locale: 'en-US',
          premium_type: 0,
        },
      }),
    },
    {
      method: 'POST',
      pattern: /^\/users\/@me\/channels\/?$/,
      route: () => '/users/@me/channels',
      bucket: state.policies.dmChannel,
      handle: ({ body }) => {
        const recipientId = asRecord(body).recipient_id;
        if (typeof recipientId !== 'string' || !/^\d{1,20}$/.test(recipientId)) {
          throw invalidFormBody('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required.');
        }
        const recipient = state.world.users.get(recipientId);
        if (!recipient) throw new RestError(400, { code: 50033, message: 'Invalid Recipient(s)' });
        let channelId = state.dmChannels.get(recipientId);
        if (!channelId) {
          channelId = state.ids.next();
          state.dmChannels.set(recipientId, channelId);
        }
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
      },
    },
  ];
}
