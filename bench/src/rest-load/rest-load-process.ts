/**
 * One process of the REST load scenario: offers requests at fixed rates for a while, through the shared
 * limiter or through plain @discordjs/rest, and prints a JSON summary line. Started by `runRestLoad`.
 * Settings come as one JSON argument (see `RestLoadProcessSettings`).
 */
import { setMaxListeners } from 'node:events';
import { createRateLimitedRest } from '@dgc/rest';
import { Redis } from 'ioredis';

export interface RestLoadProcessSettings {
  api: string;
  token: string;
  shared: boolean;
  redisUrl: string;
  keyPrefix: string;
  globalPerSecond: number;
  durationMs: number;
  /** Requests per second spread over many channels: only the global limit binds them. */
  spreadPerSecond: number;
  spreadChannels: string[];
  /** Requests per second to one channel's message bucket. */
  bucketPerSecond: number;
  bucketChannel: string;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as RestLoadProcessSettings;
const redis = settings.shared
  ? new Redis(settings.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  : undefined;
const outcomes: Record<string, number> = {};
const count = (name: string) => {
  outcomes[name] = (outcomes[name] ?? 0) + 1;
};
const { rest } = createRateLimitedRest({
  rest: { api: settings.api, version: '10', retries: 1 },
  token: settings.token,
  limiter: redis
    ? {
        redis,
        keyPrefix: settings.keyPrefix,
        globalPerSecond: settings.globalPerSecond,
        // Decisions taken without Redis are reported: they are the one way this load may exceed a limit.
        observer: { onFallback: (active) => active && count('fallback') },
      }
    : undefined,
});
const stop = new AbortController();
setMaxListeners(0, stop.signal); // one listener per request waiting for its turn

function offer(perSecond: number, send: (index: number) => Promise<unknown>): Promise<void> {
  if (perSecond <= 0) return Promise.resolve();
  return new Promise((resolveOffer) => {
    const started = performance.now();
    let sent = 0;
    const pending = new Set<Promise<unknown>>();
    const timer = setInterval(() => {
      const owed = Math.floor(((performance.now() - started) / 1_000) * perSecond);
      while (sent < owed) {
        const request = send(sent).then(
          () => count('ok'),
          (error: unknown) =>
            count(
              stop.signal.aborted
                ? 'cancelled'
                : ((error as { status?: number }).status ?? 'error').toString(),
            ),
        );
        pending.add(request);
        request.finally(() => pending.delete(request));
        sent += 1;
      }
    }, 5);
    stop.signal.addEventListener('abort', () => {
      clearInterval(timer);
      Promise.allSettled([...pending]).then(() => resolveOffer());
    });
  });
}

console.log(JSON.stringify({ ready: true }));
const spread = offer(settings.spreadPerSecond, (index) =>
  rest.get(`/channels/${settings.spreadChannels[index % settings.spreadChannels.length]}`, {
    signal: stop.signal,
  }),
);
const bucket = offer(settings.bucketPerSecond, (index) =>
  rest.post(`/channels/${settings.bucketChannel}/messages`, {
    body: { content: `load ${index}` },
    signal: stop.signal,
  }),
);
setTimeout(() => stop.abort(), settings.durationMs);
await Promise.all([spread, bucket]);
console.log(JSON.stringify({ outcomes }));
redis?.disconnect();
process.exit(0);
