// Over 300 lines: every Redis key of the cluster is named in this one file (the issue asks for one owner), one short method each.
/**
 * Every Redis key and pub/sub channel the cluster writes or reads is named here and nowhere else (as
 * BullMQ's `QueueKeys` does), so a newcomer finds the whole keyspace in one file and a layout change is one
 * edit. A test (`scripts.test.ts`) fails on a key template built anywhere else in production code.
 *
 * Layout: every key starts with `<prefix>:` (REDIS_KEY_PREFIX), so one deployment's keys are found (and,
 * in tests, deleted) with `SCAN MATCH <prefix>:*`, whatever their hash tag.
 *
 * Hash-tag policy (for Redis Cluster, which stores a key in the slot of its `{tag}` when it has one, and
 * refuses a script or MULTI whose keys lie in different slots):
 * - The keys of one atomic operation (one Lua script, one MULTI) share one tag. That is the only reason
 *   for a tag: keys that are never used together carry none, so the cluster spreads them over its nodes.
 * - Shard keys are tagged per generation and shard, `{shard:<generation>:<id>}` (lease and its fencing
 *   counter are one script; the session, published state and identify history go with them, so one shard's
 *   state is on one node and shards spread over all of them). A shard set belongs to a generation (a shard
 *   count): during a reshard shard 3 of 4 and shard 3 of 8 are different shards with different sessions.
 *   The command queue is tagged `{shard:<id>}`: it names the shard of the active set, whatever its
 *   generation.
 * - The generation record and each generation's progress share `{generation}` (one script decides on them).
 * - Identify slots are tagged per identify bucket, `{identify:<bucket>}` (slot, queue, seen: one script).
 * - Dedupe keys share `{dedupe}`: a batch claims events of any guild together with its attempt's status
 *   key, and a redelivered event must be found by whichever batch carries it, so no finer tag exists.
 * - The REST limiter's keys share `{rest}`: every decision reads the invalid-request counter, the global
 *   window and a bucket at once. Every request touches the global window anyway, so nothing is lost.
 * - A guild's cached state is tagged per guild, `{guild:<id>}` (its skeleton, channels, roles and members
 *   are replaced together by one script on GUILD_CREATE), so guilds spread over the nodes. Its threads and emojis
 *   (when cached) carry the same tag.
 * - Each BullMQ queue gets its own prefix tagged with its name, `<prefix>:{<queue>}` (BullMQ's scripts
 *   touch many keys of one queue), so queues spread over the nodes instead of sharing one slot.
 * Tags leave the deployment prefix out (it comes first, before the tag): two deployments sharing a Redis
 * Cluster then share slots, which is harmless.
 */
export class RedisKeys {
  readonly prefix: string;
  readonly #dedupePrefix: string;
  readonly #attemptPrefix: string;

  constructor(prefix: string) {
    // A brace in the prefix would become the hash tag of every key.
    if (/[{}]/.test(prefix)) throw new Error(`Redis key prefix "${prefix}" must not contain { or }`);
    this.prefix = prefix;
    this.#dedupePrefix = `${prefix}:{dedupe}:event:`;
    this.#attemptPrefix = `${prefix}:{dedupe}:attempt:`;
  }

  /** `SCAN`/`KEYS` pattern matching every key of this deployment (tests and benchmarks clean up with it). */
  everything(): string {
    return `${this.prefix}:*`;
  }

  // --- Shards (gateway) ---------------------------------------------------------------------------------

  /** HASH owner, token: the process running the shard; expires unless renewed. */
  shardLease(generation: number, shardId: number): string {
    return `${this.#shard(generation, shardId)}:lease`;
  }

  /** Counter: the lease's fencing token, which only ever grows. */
  shardLeaseFence(generation: number, shardId: number): string {
    return `${this.#shard(generation, shardId)}:lease-fence`;
  }

  /** HASH sessionId, sequence, resumeURL, shardCount: what the next owner resumes. */
  shardSession(generation: number, shardId: number): string {
    return `${this.#shard(generation, shardId)}:session`;
  }

  /** Pattern of every shard's session key (keyspace notifications in benchmarks). */
  shardSessionPattern(): string {
    return `${this.prefix}:{shard:*}:session`;
  }

  /** HASH owner, state, detail, sequence, lastEventAt: the shard as its gateway reports it. */
  shardState(generation: number, shardId: number): string {
    return `${this.#shard(generation, shardId)}:state`;
  }

  /** ZSET of the shard's recent identifies, for identify-loop back-off. */
  identifyHistory(generation: number, shardId: number): string {
    return `${this.#shard(generation, shardId)}:identify-history`;
  }

  /** LIST of gateway commands (presence, request members) for the shard's owner to send. */
  gatewayCommands(shardId: number): string {
    return `${this.prefix}:{shard:${shardId}}:commands`;
  }

  // --- Shard generations (resharding) -------------------------------------------------------------------

  /**
   * HASH: the active generation (`active`, `activeShardCount`) and, during a reshard, the next one
   * (`target`, `targetShardCount`, `phase`, `startedAt`, `deadline`, `switchAt`), with the outcome of the
   * last reshard (`last`, `lastAt`). Decided on by Lua scripts only.
   */
  generationState(): string {
    return `${this.prefix}:{generation}:state`;
  }

  /** HASH shard id → 'identified' | 'ready': a new set's shards that have their guilds (reshard progress). */
  generationReady(generation: number): string {
    return `${this.prefix}:{generation}:ready:${generation}`;
  }

  /** HASH shard id → time: an old set's shards that have seen past the switch time (cut-over confirmed). */
  generationCutOver(generation: number): string {
    return `${this.prefix}:{generation}:cut-over:${generation}`;
  }

  /**
   * HASH shards, remaining, total, resetAfter, maxConcurrency, updatedAt: GET /gateway/bot as a gateway
   * last read it, for tools without the bot token (`reshard` checks the session-start budget with it).
   */
  discordGatewayInfo(): string {
    return `${this.prefix}:gateway:discord-info`;
  }

  /** ZSET member → last heartbeat of the live gateway processes. */
  gatewayMembers(): string {
    return `${this.prefix}:gateway:members`;
  }

  /**
   * STREAM of dispatches a gateway could not put on a lane (not JSON, invalid UTF-8, a malformed envelope,
   * an unknown event type, over the size limit), each with its cause: the gateway's dead-letter place,
   * capped (XADD MAXLEN ~), read by `npm run cluster -- parked` and the dashboard.
   */
  parkedDispatches(): string {
    return `${this.prefix}:gateway:parked`;
  }

  // --- Identify -----------------------------------------------------------------------------------------

  /** One identify bucket (`shard_id % max_concurrency`): its slot, its FIFO of waiters, their last polls. */
  identifyBucket(bucket: number): { slot: string; queue: string; seen: string } {
    const tagged = `${this.prefix}:{identify:${bucket}}`;
    return { slot: `${tagged}:slot`, queue: `${tagged}:queue`, seen: `${tagged}:seen` };
  }

  /** HASH present while identifies wait for the daily session-start budget to reset. */
  identifyBudgetExhausted(): string {
    return `${this.prefix}:identify-budget-exhausted`;
  }

  // --- Processes, lanes, subscriptions ------------------------------------------------------------------

  /** HASH process id → its record (role, host, heartbeat). */
  processes(): string {
    return `${this.prefix}:processes`;
  }

  /**
   * STRING: a random id written by the first process to find it missing. Never expires and is never
   * deleted, so a different id than the one a process saw before means Redis lost its data in between.
   */
  dataEpoch(): string {
    return `${this.prefix}:data-epoch`;
  }

  /** STRING: the lane topology every process must share. */
  laneTopology(): string {
    return `${this.prefix}:lane-topology`;
  }

  /** SET of the dispatch events some worker handles. */
  subscribedEvents(): string {
    return `${this.prefix}:subscriptions:events`;
  }

  /** Pub/sub channel (not a key): the subscribed events changed. */
  subscriptionsChanged(): string {
    return `${this.prefix}:subscriptions:changed`;
  }

  // --- Dedupe (worker) ----------------------------------------------------------------------------------

  /** STRING: the token of the attempt that claimed the event, or 'done'. */
  dedupe(eventKey: string): string {
    return this.#dedupePrefix + eventKey;
  }

  /** STRING 'running' | 'done': the status of one attempt (a job), by its token. */
  dedupeAttempt(token: string): string {
    return this.#attemptPrefix + token;
  }

  /**
   * STRING, its value meaningless: written by every replication check of the dedupe (checkAttempts-n.lua),
   * so that the WAIT after it covers every claim made before it. In `{dedupe}`, so on a Redis Cluster the
   * check and its WAIT reach the node holding the claims.
   */
  dedupeReplicationMark(): string {
    return `${this.prefix}:{dedupe}:replication-mark`;
  }

  // --- REST rate limits ---------------------------------------------------------------------------------

  /** ZSET: requests of the last second (sliding window log) against the global limit. */
  restGlobal(): string {
    return `${this.prefix}:{rest}:global`;
  }

  /** STRING present while a global 429 is waited out. */
  restGlobalBlock(): string {
    return `${this.prefix}:{rest}:global-block`;
  }

  /** HASH `METHOD:/route` → bucket hash learned from X-RateLimit-Bucket ('-' = the route has none). */
  restRoutes(): string {
    return `${this.prefix}:{rest}:routes`;
  }

  /** HASH limit, remaining, reset, window of one bucket for one major parameter. */
  restBucket(bucketHash: string, major: string): string {
    return `${this.prefix}:{rest}:bucket:${bucketHash}:${major}`;
  }

  /** STRING: held by the one request that learns an unknown route's bucket. */
  restDiscover(route: string, major: string): string {
    return `${this.prefix}:{rest}:discover:${route}:${major}`;
  }

  /** HASH 10-minute slot → invalid requests (401, 403, non-shared 429) counted in it. */
  restInvalidRequests(): string {
    return `${this.prefix}:{rest}:invalid`;
  }

  /** HASH of counters for metrics (requests, 429s by scope, invalid requests). */
  restStats(): string {
    return `${this.prefix}:{rest}:stats`;
  }

  // --- Shared state cache (written by gateways, read by workers) ----------------------------------------

  /**
   * One guild's cached state: `guild` HASH field → JSON value (CachedGuild); `channels`, `roles`,
   * `members`, `threads` HASH id → JSON (CachedChannel, CachedRole, CachedMember, CachedThread);
   * `threadMembers` HASH `<thread id>:<user id>` → JSON (CachedThreadMember; one hash per guild, so the
   * scripts that delete threads reach their memberships through a declared key); `emojis`
   * STRING, the JSON array of the guild's CachedEmoji (GUILD_EMOJIS_UPDATE replaces the set whole, and an
   * empty set `[]` is told apart from one not cached). One tag: GUILD_CREATE replaces all seven in one script,
   * and a channel's deletion sweeps its threads in one. `indexRemovals` SET: ids of channels and threads
   * those scripts removed whose channel-index entries (an untagged key, out of the scripts' reach) are not
   * dropped yet; kept until they are, so a retried or replayed sweep, which finds nothing left to remove,
   * still drops them.
   */
  guildCache(guildId: string): {
    guild: string;
    channels: string;
    roles: string;
    members: string;
    threads: string;
    threadMembers: string;
    emojis: string;
    indexRemovals: string;
  } {
    const tagged = `${this.prefix}:{guild:${guildId}}`;
    return {
      guild: `${tagged}:guild`,
      channels: `${tagged}:channels`,
      roles: `${tagged}:roles`,
      members: `${tagged}:members`,
      threads: `${tagged}:threads`,
      threadMembers: `${tagged}:thread-members`,
      emojis: `${tagged}:emojis`,
      indexRemovals: `${tagged}:index-removals`,
    };
  }

  /** Pattern of every cached guild's skeleton key (cache size metrics, tests). */
  guildCachePattern(): string {
    return `${this.prefix}:{guild:*}:guild`;
  }

  /** The guild id in a key `guildCachePattern` matched. */
  guildIdOfCacheKey(key: string): string {
    return /\{guild:(\d+)\}/.exec(key)?.[1] ?? '';
  }

  /** HASH channel or thread id → guild id: finds a cached channel or thread by its id alone. Untagged: never in a script. */
  cachedChannelGuilds(): string {
    return `${this.prefix}:cache:channel-guilds`;
  }

  /**
   * STRING JSON with a TTL: an entity a worker fetched over REST on a cache miss. The gateway deletes it
   * when it writes the entity, so a fallback copy never outlives a change the gateway saw.
   * `id`: the guild id (guild, roles, emojis), channel or thread id, `<guild id>:<user id>` (member), or
   * `<thread id>:<user id>` (threadMember).
   */
  cacheFallback(
    kind: 'guild' | 'channel' | 'roles' | 'member' | 'threadMember' | 'emojis',
    id: string,
  ): string {
    return `${this.prefix}:cache:fallback:${kind}:${id}`;
  }

  // --- BullMQ -------------------------------------------------------------------------------------------

  /** The `prefix` option of a BullMQ Queue or Worker of `queueName`: tagged per queue. */
  queuePrefix(queueName: string): string {
    return `${this.prefix}:{${queueName}}`;
  }

  /** One of BullMQ's own keys of a queue (`wait`, `events`, a job id), for tools that read them directly. */
  queueKey(queueName: string, suffix: string): string {
    return `${this.queuePrefix(queueName)}:${queueName}:${suffix}`;
  }

  #shard(generation: number, shardId: number): string {
    return `${this.prefix}:{shard:${generation}:${shardId}}`;
  }
}
