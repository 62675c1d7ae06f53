// Read by both limiters, so it lives in neither: the shared limiter holds the local fallback limiter, and
// the fallback limiter importing this type from the shared one made the two import each other.

export type RateLimitScope = 'user' | 'global' | 'shared';

/** The rate-limit facts of one response, from its headers. */
export interface ResponseLimits {
  status: number;
  bucket?: string;
  limit?: number;
  remaining?: number;
  resetAfterMs?: number;
  scope?: RateLimitScope;
  retryAfterMs?: number;
}
