import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BotToken } from '../bot-token.js';
import { type BucketDecision, type BucketPolicy, InvalidRequestCounter, RateLimits } from './rate-limits.js';
import type { RestCallRecord } from './rest-call-record.js';
import { RestFaults } from './rest-faults.js';
import { RestError, type RouteDefinition } from './rest-route.js';
import type { RestState } from './rest-state.js';
import { applicationCommandRoutes } from './routes/application-command-routes.js';
import { guildReadRoutes } from './routes/guild-read-routes.js';
import { guildRoutes } from './routes/guild-routes.js';
import { interactionRoutes } from './routes/interaction-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { threadMemberRoutes } from './routes/thread-member-routes.js';
import { type GatewayDirectory, userRoutes } from './routes/user-routes.js';

/** Told of every REST request once it is answered. */
export interface RestCallObserver {
  callAnswered(record: RestCallRecord): void;
}

export interface RestServerOptions {
  state: RestState;
  token: BotToken;
  gateway: GatewayDirectory;
  globalRateLimitPerSecond: number;
  interactionResponseWindowMs: number;
  invalidRequestLimit: number;
  observer: RestCallObserver;
}

const maxBodyBytes = 25 * 1024 * 1024;

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

  /** The route table, in match order. */
  get routes(): readonly RouteDefinition[] {
    return this.#routes;
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
    const auditLogReason = auditReasonOf(request);
    if (auditLogReason !== undefined) record.auditLogReason = auditLogReason;
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
        if (fault.kind === 'refuse') {
          throw new RestError(fault.status ?? 403, {
            code: fault.code ?? 50013,
            message: fault.message ?? 'Missing Permissions',
          });
        }
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
    this.#options.observer.callAnswered(record);
  }

  #authenticate(request: IncomingMessage): void {
    const header = request.headers.authorization ?? '';
    const expected = this.#options.token.current;
    if (expected === undefined || header !== `Bot ${expected}`) {
      throw new RestError(401, { code: 0, message: '401: Unauthorized' });
    }
  }

  #match(method: string, rawPath: string): { route: RouteDefinition; params: string[] } | undefined {
    // Clients may percent-encode segments (@discordjs/rest sends `%40original`); Discord routes on the
    // decoded segments. An encoded slash stays encoded so it cannot split a segment.
    const path = rawPath
      .split('/')
      .map((segment) => {
        try {
          const decoded = decodeURIComponent(segment);
          return decoded.includes('/') ? segment : decoded;
        } catch {
          return segment;
        }
      })
      .join('/');
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
    const { state } = this.#options;
    return [
      ...userRoutes(state, this.#options.gateway),
      ...interactionRoutes(state, this.#options.interactionResponseWindowMs),
      ...messageRoutes(state),
      ...guildRoutes(state),
      ...guildReadRoutes(state),
      ...threadMemberRoutes(state),
      ...applicationCommandRoutes(state),
    ];
  }
}

/** Discord reads the header URL-encoded (clients encode non-ASCII reasons); a malformed one is kept raw. */
function auditReasonOf(request: IncomingMessage): string | undefined {
  const raw = request.headers['x-audit-log-reason'];
  if (typeof raw !== 'string') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
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
