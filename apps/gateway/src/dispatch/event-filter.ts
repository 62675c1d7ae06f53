import {
  createRedisConnection,
  EventSubscriptions,
  type Logger,
  type Redis,
  type RedisTarget,
} from '@dgc/shared';

/**
 * Which dispatch events are worth a queue write. Either a fixed list from configuration, or the live set
 * of events some worker has a handler for.
 */
export class EventFilter {
  #wanted: ReadonlySet<string>;
  #stopWatching: (() => Promise<void>) | undefined;
  #subscriber: Redis | undefined;

  private constructor(initial: ReadonlySet<string>) {
    this.#wanted = initial;
  }

  static fixed(events: ReadonlySet<string>): EventFilter {
    return new EventFilter(events);
  }

  /** Watches the set workers register, on a subscriber connection of its own (closed by `stop`). */
  static async fromWorkerSubscriptions(
    redisTarget: RedisTarget,
    keyPrefix: string,
    commands: Redis,
    logger: Logger,
  ): Promise<EventFilter> {
    const filter = new EventFilter(new Set());
    const subscriber = createRedisConnection({
      target: redisTarget,
      connectionName: 'gateway:subscriptions',
    });
    filter.#subscriber = subscriber;
    filter.#stopWatching = await new EventSubscriptions(keyPrefix).watch(
      commands,
      subscriber,
      (events) => {
        filter.#wanted = events;
        logger.info({ events: [...events] }, 'forwarding the events workers handle');
      },
      (error) =>
        logger.error({ err: error }, 'reloading event subscriptions failed; keeping the previous set'),
    );
    return filter;
  }

  wants(event: string): boolean {
    return this.#wanted.has(event);
  }

  async stop(): Promise<void> {
    await this.#stopWatching?.();
    await this.#subscriber?.quit().catch(() => {});
  }
}
