import { DefaultRestOptions, REST, type RESTOptions, type ResponseLike } from '@discordjs/rest';
import type { RequestInit } from 'undici';
import type { RateLimitScope, ResponseLimits } from './response-limits.js';
import { routeKeyOf } from './route-key.js';
import { SharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.js';

export interface RateLimitedRestOptions {
  /** Options of the underlying @discordjs/rest client (api, version, timeout…). */
  rest?: Partial<RESTOptions>;
  token?: string;
  /** Shares limits through Redis; `undefined` gives plain @discordjs/rest (per-process limits only). */
  limiter?: SharedRateLimiterOptions;
}

function numberHeader(headers: ResponseLike['headers'], name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Reads the rate-limit headers of an answer (a 429's body is left to @discordjs/rest). */
export function responseLimits(response: ResponseLike): ResponseLimits {
  const { headers, status } = response;
  const resetAfter = numberHeader(headers, 'x-ratelimit-reset-after');
  const retryAfter = numberHeader(headers, 'retry-after');
  const scopeHeader = headers.get('x-ratelimit-scope');
  const scope: RateLimitScope | undefined =
    headers.has('x-ratelimit-global') || scopeHeader === 'global'
      ? 'global'
      : scopeHeader === 'shared' || scopeHeader === 'user'
        ? scopeHeader
        : status === 429
          ? 'user'
          : undefined;
  return {
    status,
    bucket: headers.get('x-ratelimit-bucket') ?? undefined,
    limit: numberHeader(headers, 'x-ratelimit-limit'),
    remaining: numberHeader(headers, 'x-ratelimit-remaining'),
    resetAfterMs: resetAfter === undefined ? undefined : Math.ceil(resetAfter * 1_000),
    scope,
    retryAfterMs: retryAfter === undefined ? undefined : Math.ceil(retryAfter * 1_000),
  };
}

/**
 * A @discordjs/rest client whose every attempt (retries included) first asks the shared limiter and then
 * reports Discord's answer to it. @discordjs/rest keeps doing what it does well — route parsing, its own
 * per-process queues, retries, error types — and the shared state adds what it lacks: limits that hold
 * across processes and hosts.
 */
export function createRateLimitedRest(options: RateLimitedRestOptions): {
  rest: REST;
  limiter?: SharedRateLimiter;
} {
  const limiter = options.limiter ? new SharedRateLimiter(options.limiter) : undefined;
  const send = options.rest?.makeRequest ?? DefaultRestOptions.makeRequest;
  const rest = new REST({
    ...options.rest,
    ...(limiter
      ? {
          // The shared limiter holds the bot's global limit cluster-wide; @discordjs/rest's own per-process
          // cap (50/s by default) would otherwise pace a bucket-bound run (a mass ban) below what it allows.
          globalRequestsPerSecond:
            options.rest?.globalRequestsPerSecond ?? options.limiter?.globalPerSecond ?? 50,
          async makeRequest(url: string, init: RequestInit): Promise<ResponseLike> {
            const key = routeKeyOf(url, init.method ?? 'GET');
            const reservation = await limiter.acquire(key, (init.signal as AbortSignal | null) ?? undefined);
            let response: ResponseLike;
            try {
              response = await send(url, init);
            } catch (error) {
              void limiter.settle(reservation, { status: 0 });
              throw error;
            }
            // Not awaited: the decision was the request's one round trip; the answer is recorded behind it.
            void limiter.settle(reservation, responseLimits(response));
            return response;
          },
        }
      : {}),
  });
  if (options.token) rest.setToken(options.token);
  return { rest, limiter };
}
