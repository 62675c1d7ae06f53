import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type APIInteractionResponseCallbackData,
  ChannelType,
  InteractionResponseType,
} from 'discord-api-types/v10';
import { botMessage } from '../model/payloads.js';
import type { SnowflakeGenerator } from '../model/snowflake.js';
import type { SimulatedWorld } from '../model/world.js';
import { type BucketDecision, type BucketPolicy, InvalidRequestCounter, RateLimits } from './rate-limits.js';
import type { RestCallRecord } from './rest-call-record.js';
import { RestFaults } from './rest-faults.js';

export interface PendingInteraction {
  id: string;
  token: string;
  deliveredAt: number;
  acknowledged: boolean;
  channelId: string;
  guildId: string;
}

export interface RestServerOptions {
  world: SimulatedWorld;
  ids: SnowflakeGenerator;
  token: () => string | undefined;
  gatewayBot: () => unknown;
  gatewayUrl: () => string;
  globalRateLimitPerSecond: number;
  interactionResponseWindowMs: number;
  invalidRequestLimit: number;
  interactions: Map<string, PendingInteraction>;
  /** A message the bot created, to be dispatched as MESSAGE_CREATE. */
  onMessageCreated: (message: unknown, guildId: string | undefined) => void;
  onCall: (record: RestCallRecord) => void;
}

const maxBodyBytes = 25 * 1024 * 1024;
const validCallbackTypes = new Set<number>([1, 4, 5, 6, 7, 8, 9, 10, 12]);

export const defaultBucketPolicies = {
  createMessage: { hash: 'c2a1f1e4d8b7', limit: 5, windowMs: 5_000 },
  interactionCallback: { hash: 'e9b4a0d21c55', limit: 5, windowMs: 1_000 },
  gatewayBot: { hash: '5f4c0ea2b913', limit: 2, windowMs: 5_000 },
} satisfies Record<string, BucketPolicy>;

class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: number; message: string; errors?: unknown },
  ) {
    super(body.message);
  }
}

interface RouteContext {
  request: IncomingMessage;
  body: unknown;
  params: string[];
  query: URLSearchParams;
}

interface RouteDefinition {
  method: string;
  pattern: RegExp;
  /** Path template with tokens masked, for the ledger. */
  route: (params: string[]) => string;
  bucket?: BucketPolicy;
  majorParameter?: (params: string[]) => string;
  /** Interaction routes need no bot token and are exempt from the global limit. */
  interactionRoute?: boolean;
  handle(context: RouteContext): { status: number; body?: unknown };
}

/** The REST side of the simulator: routing, validation, Discord-shaped errors and rate-limit headers. */
export class RestServer {
  readonly #options: RestServerOptions;
  readonly #limits: RateLimits;
  readonly invalidRequests = new InvalidRequestCounter();
  readonly faults = new RestFaults();
  readonly #routes: RouteDefinition[];

  constructor(options: RestServerOptions) {
    this.#options = options;
    this.#limits = new RateLimits(options.globalRateLimitPerSecond);
    this.#routes = this.#defineRoutes();
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const url = new URL(request.url ?? '/', 'http://simulator');
    const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(url.pathname);
    const path = versioned?.[2] ?? url.pathname.replace(/^\/api/, '');
    const method = request.method ?? 'GET';
    const record: RestCallRecord = {
      method,
      route: path,
      path,
      status: 0,
      requestBody: undefined,
      responseBody: undefined,
      receivedAt,
      respondedAt: 0,
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let status = 200;
    let body: unknown;
    try {
      if (versioned && Number(versioned[1]) < 9) {
        throw new RestError(400, { code: 50041, message: 'Invalid API version provided.' });
      }
      const raw = await readBody(request);
      if (raw.length > 0 && (request.headers['content-type'] ?? '').includes('application/json')) {
        try {
          record.requestBody = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new RestError(400, { code: 50109, message: 'The request body contains invalid JSON.' });
        }
      }
      const match = this.#match(method, path);
      if (!match) throw new RestError(404, { code: 0, message: '404: Not Found' });
      const { route, params } = match;
      record.route = route.route(params);
      for (const fault of this.faults.take(path)) {
        if (fault.kind === 'slow')
          await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1_000));
        if (fault.kind === 'serverError') {
          const faultStatus = fault.status ?? 500;
          throw new RestError(faultStatus, { code: 0, message: `${faultStatus}: Internal Server Error` });
        }
        if (fault.kind === 'rateLimit') {
          const retryAfter = fault.retryAfterSeconds ?? 1;
          const scope = fault.scope ?? 'shared';
          headers['retry-after'] = String(Math.ceil(retryAfter));
          headers['x-ratelimit-scope'] = scope;
          if (scope === 'global') headers['x-ratelimit-global'] = 'true';
          record.rateLimitScope = scope;
          throw new RestError(429, {
            message:
              scope === 'shared' ? 'The resource is being rate limited.' : 'You are being rate limited.',
            retry_after: retryAfter,
            global: scope === 'global',
          } as unknown as RestError['body']);
        }
      }
      if (this.invalidRequests.inLastTenMinutes() >= this.#options.invalidRequestLimit) {
        // A temporary ban looks like a 429 without any rate-limit headers.
        headers['retry-after'] = '3600';
        record.rateLimitScope = 'global';
        throw new RestError(429, {
          code: 0,
          message:
            'You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently.',
        });
      }
      if (!route.interactionRoute) this.#authenticate(request);
      if (!route.interactionRoute) {
        const global = this.#limits.takeGlobal();
        if (!global.allowed) {
          const retryAfter = global.retryAfterMs / 1_000;
          Object.assign(headers, {
            'retry-after': String(Math.ceil(retryAfter)),
            'x-ratelimit-global': 'true',
            'x-ratelimit-scope': 'global',
          });
          record.rateLimitScope = 'global';
          status = 429;
          body = { message: 'You are being rate limited.', retry_after: retryAfter, global: true };
          throw new RestError(429, body as RestError['body']);
        }
      }
      if (route.bucket) {
        const decision = this.#limits.take(route.bucket, route.majorParameter?.(params) ?? 'none');
        Object.assign(headers, bucketHeaders(route.bucket, decision));
        record.bucket = route.bucket.hash;
        if (!decision.allowed) {
          const retryAfter = decision.resetAfterMs / 1_000;
          headers['retry-after'] = String(Math.ceil(retryAfter));
          headers['x-ratelimit-scope'] = 'user';
          record.rateLimitScope = 'user';
          throw new RestError(429, {
            message: 'You are being rate limited.',
            retry_after: retryAfter,
            global: false,
          } as unknown as RestError['body']);
        }
      }
      const result = route.handle({ request, body: record.requestBody, params, query: url.searchParams });
      status = result.status;
      body = result.body;
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      status = error.status;
      body = error.body;
    }
    if (status === 401 || status === 403 || (status === 429 && record.rateLimitScope !== 'shared')) {
      this.invalidRequests.record();
    }
    record.status = status;
    record.responseBody = body;
    record.respondedAt = Date.now();
    if (status === 204) {
      delete headers['content-type'];
      response.writeHead(204, headers).end();
    } else {
      response.writeHead(status, headers).end(JSON.stringify(body ?? null));
    }
    this.#options.onCall(record);
  }

  #authenticate(request: IncomingMessage): void {
    const header = request.headers.authorization ?? '';
    const expected = this.#options.token();
    if (expected === undefined || header !== `Bot ${expected}`) {
      throw new RestError(401, { code: 0, message: '401: Unauthorized' });
    }
  }

  #match(method: string, path: string): { route: RouteDefinition; params: string[] } | undefined {
    let pathMatched = false;
    for (const route of this.#routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      pathMatched = true;
      if (route.method === method) return { route, params: match.slice(1) };
    }
    if (pathMatched) throw new RestError(405, { code: 0, message: '405: Method Not Allowed' });
    return undefined;
  }

  #defineRoutes(): RouteDefinition[] {
    const options = this.#options;
    return [
      {
        method: 'GET',
        pattern: /^\/gateway\/?$/,
        route: () => '/gateway',
        interactionRoute: true,
        handle: () => ({ status: 200, body: { url: options.gatewayUrl() } }),
      },
      {
        method: 'GET',
        pattern: /^\/gateway\/bot\/?$/,
        route: () => '/gateway/bot',
        bucket: defaultBucketPolicies.gatewayBot,
        handle: () => ({ status: 200, body: options.gatewayBot() }),
      },
      {
        method: 'GET',
        pattern: /^\/users\/@me\/?$/,
        route: () => '/users/@me',
        handle: () => ({
          status: 200,
          body: { ...options.world.botUser, verified: true, mfa_enabled: false, flags: 0 },
        }),
      },
      {
        method: 'POST',
        pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback\/?$/,
        route: ([id]) => `/interactions/${id}/:token/callback`,
        bucket: defaultBucketPolicies.interactionCallback,
        majorParameter: ([id, token]) => `${id}:${token}`,
        interactionRoute: true,
        handle: ({ body, params, query }) => this.#interactionCallback(params, body, query),
      },
      {
        method: 'POST',
        pattern: /^\/channels\/(\d+)\/messages\/?$/,
        route: ([channelId]) => `/channels/${channelId}/messages`,
        bucket: defaultBucketPolicies.createMessage,
        majorParameter: ([channelId]) => channelId ?? '',
        handle: ({ body, params }) => this.#createMessage(params[0] ?? '', body),
      },
    ];
  }

  #interactionCallback(params: string[], body: unknown, query: URLSearchParams) {
    const [id, token] = params;
    const interaction = id ? this.#options.interactions.get(id) : undefined;
    const unknownInteraction = new RestError(404, { code: 10062, message: 'Unknown interaction' });
    if (!interaction || interaction.token !== token) throw unknownInteraction;
    if (interaction.acknowledged) {
      throw new RestError(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
    }
    if (Date.now() - interaction.deliveredAt > this.#options.interactionResponseWindowMs)
      throw unknownInteraction;
    const payload = body as { type?: unknown; data?: APIInteractionResponseCallbackData } | undefined;
    const errors: Record<string, unknown> = {};
    if (typeof payload?.type !== 'number' || !validCallbackTypes.has(payload.type)) {
      errors.type = {
        _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of the callback types.' }],
      };
    }
    const content = payload?.data?.content;
    if (content !== undefined && (typeof content !== 'string' || content.length > 2_000)) {
      errors.data = {
        content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
      };
    }
    if (Object.keys(errors).length > 0)
      throw new RestError(400, { code: 50035, message: 'Invalid Form Body', errors });
    interaction.acknowledged = true;
    if (query.get('with_response') === 'true') {
      const sendsMessage = payload?.type === InteractionResponseType.ChannelMessageWithSource;
      return {
        status: 200,
        body: {
          interaction: {
            id: interaction.id,
            type: 2,
            activity_instance_id: null,
            response_message_id: null,
            response_message_loading: false,
            response_message_ephemeral: false,
          },
          ...(sendsMessage
            ? {
                resource: {
                  type: payload?.type,
                  message: botMessage({
                    world: this.#options.world,
                    id: this.#options.ids.next(),
                    channelId: interaction.channelId,
                    body: payload?.data ?? {},
                  }),
                },
              }
            : {}),
        },
      };
    }
    return { status: 204 };
  }

  #createMessage(channelId: string, body: unknown) {
    const entry = this.#options.world.channels.get(channelId);
    if (!entry) throw new RestError(404, { code: 10003, message: 'Unknown Channel' });
    if (entry.channel.type !== ChannelType.GuildText) {
      throw new RestError(400, { code: 50008, message: 'Cannot send messages in a non-text channel' });
    }
    const payload = (body ?? {}) as {
      content?: unknown;
      embeds?: unknown[];
      sticker_ids?: unknown[];
      components?: unknown[];
      poll?: unknown;
      nonce?: unknown;
    };
    if (payload.content !== undefined && typeof payload.content !== 'string') {
      throw new RestError(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: { content: { _errors: [{ code: 'BASE_TYPE_STRING', message: 'Must be a string.' }] } },
      });
    }
    if (typeof payload.content === 'string' && payload.content.length > 2_000) {
      throw new RestError(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          content: {
            _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }],
          },
        },
      });
    }
    if (Array.isArray(payload.embeds) && payload.embeds.length > 10) {
      throw new RestError(400, {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' }] },
        },
      });
    }
    const empty =
      !payload.content &&
      !payload.embeds?.length &&
      !payload.sticker_ids?.length &&
      !payload.components?.length &&
      !payload.poll;
    if (empty) throw new RestError(400, { code: 50006, message: 'Cannot send an empty message' });
    const message = botMessage({
      world: this.#options.world,
      id: this.#options.ids.next(),
      channelId,
      body: payload as { content?: string; nonce?: string },
    });
    this.#options.onMessageCreated({ ...message, guild_id: entry.guildId }, entry.guildId);
    return { status: 200, body: message };
  }
}

function bucketHeaders(policy: BucketPolicy, decision: BucketDecision): Record<string, string> {
  return {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(decision.remaining),
    'x-ratelimit-reset': (decision.resetAt / 1_000).toFixed(3),
    'x-ratelimit-reset-after': (decision.resetAfterMs / 1_000).toFixed(3),
    'x-ratelimit-bucket': policy.hash,
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new RestError(413, { code: 40005, message: 'Request entity too large' }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
