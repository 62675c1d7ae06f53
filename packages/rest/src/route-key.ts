import { REST } from '@discordjs/rest';

/** How Discord groups a request for rate limiting. */
export interface RouteKey {
  /** `METHOD:/route/:id` — the key under which a route's bucket hash is learned. */
  route: string;
  /** The major parameter (channel, guild or webhook id; `global` when none). */
  major: string;
  /** Interaction callbacks and interaction webhooks are not bound by the global limit. */
  exemptFromGlobal: boolean;
  /**
   * An interaction callback is answered once per interaction: its bucket (per interaction) can never bind,
   * so it skips bucket bookkeeping altogether instead of writing state for every interaction.
   */
  exemptFromBuckets: boolean;
}

interface RouteData {
  majorParameter: string;
  bucketRoute: string;
}

// @discordjs/rest's own route generalisation, so buckets are keyed exactly as its handlers key them. It is
// marked internal, hence the cast; a change of shape fails the route-key tests, not production silently.
const generateRouteData = (
  REST as unknown as { generateRouteData(endpoint: string, method: string): RouteData }
).generateRouteData;

/** Derives the rate-limit key of a request from its full URL (`…/api/v10/channels/1/messages?x`). */
export function routeKeyOf(url: string, method: string): RouteKey {
  const { pathname } = new URL(url);
  const endpoint = pathname.replace(/^.*?\/api(?:\/v\d+)?(?=\/)/, '');
  const upperMethod = method.toUpperCase();
  const data = generateRouteData(endpoint, upperMethod);
  const callback = data.bucketRoute === '/interactions/:id/:token/callback';
  return {
    route: `${upperMethod}:${data.bucketRoute}`,
    // @discordjs/rest keys every callback under one "burst" major; Discord's bucket is per interaction.
    major: callback
      ? (/^\/interactions\/(\d+)/.exec(endpoint)?.[1] ?? data.majorParameter)
      : data.majorParameter,
    exemptFromBuckets: callback,
    exemptFromGlobal:
      data.bucketRoute.startsWith('/interactions/') || data.bucketRoute.startsWith('/webhooks/:id/:token'),
  };
}
