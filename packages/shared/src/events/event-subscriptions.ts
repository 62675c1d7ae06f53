import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

/**
 * Which dispatch events some worker has a handler for. Workers add their events at start; gateways read the
 * set and drop everything else before it costs a queue write. The set only grows: a gateway forwarding an
 * event nobody handles any more wastes a little, while one dropping an event a new worker handles loses data.
 * Workers write their events again every few seconds (`OwnedRedisState`), so a Redis that lost its data
 * gets the set back without a worker restart.
 */
export class EventSubscriptions {
  readonly #setKey: string;
  readonly #channel: string;

  constructor(keyPrefix: string) {
    const keys = new RedisKeys(keyPrefix);
    this.#setKey = keys.subscribedEvents();
    this.#channel = keys.subscriptionsChanged();
  }

  /** Adds events and tells every gateway to reload. */
  async register(redis: Redis, events: Iterable<string>): Promise<void> {
    const names = [...events];
    if (names.length === 0) return;
    const added = await redis.sadd(this.#setKey, ...names);
    if (added > 0) await redis.publish(this.#channel, 'changed');
  }

  async current(redis: Redis): Promise<Set<string>> {
    return new Set(await redis.smembers(this.#setKey));
  }

  /**
   * Calls `onChange` with the full set now, after every registration, and after the subscriber reconnects
   * (a registration published while it was away is not replayed, and Redis may have come back empty).
   * `subscriber` must be a connection dedicated to pub/sub. `reload` reads the set again on demand.
   */
  async watch(
    commands: Redis,
    subscriber: Redis,
    onChange: (events: Set<string>) => void,
    onError: (error: Error) => void,
  ): Promise<SubscriptionsWatch> {
    const reload = async () => onChange(await this.current(commands));
    const listener = (channel: string) => {
      if (channel === this.#channel) reload().catch(onError);
    };
    const reconnected = () => reload().catch(onError);
    subscriber.on('message', listener);
    await subscriber.subscribe(this.#channel);
    subscriber.on('ready', reconnected);
    await reload();
    return {
      reload,
      stop: async () => {
        subscriber.off('message', listener);
        subscriber.off('ready', reconnected);
        await subscriber.unsubscribe(this.#channel);
      },
    };
  }
}

export interface SubscriptionsWatch {
  /** Reads the set again and hands it to `onChange`. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}
