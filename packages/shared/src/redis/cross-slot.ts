/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import { type ChainableCommander, Cluster } from 'ioredis';
import type { Redis } from './redis-connection.js';

/** One command's outcome in a pipeline: ioredis's `[error, result]`. */
export type PipelineReply = [error: Error | null, result: unknown];

interface QueuedCommand<P> {
  key: string;
  queue: (pipeline: P) => unknown;
}

/**
 * A pipeline over keys of any slot. On one server it is one pipeline (one round trip). A Redis Cluster
 * refuses a pipeline whose keys lie on different nodes (ioredis: "All keys in the pipeline should belong to
 * the same slots allocation group"), so there the commands are grouped by the nodes serving their key's slot
 * and each group is sent as its own pipeline, all at once: one round trip per node, in parallel. Commands
 * on one node keep their order (so do, therefore, commands on one key); replies come back in the order the
 * commands were added.
 *
 * `P` is the pipeline type, for commands defined on the connection (`withRedisScripts`).
 */
export class CrossSlotPipeline<P extends ChainableCommander = ChainableCommander> {
  readonly #redis: Redis;
  readonly #commands: QueuedCommand<P>[] = [];

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /**
   * Queues exactly one command on `pipeline`. `key` is the key it touches; a command touching several keys
   * must keep them in one slot (one hash tag), as Redis Cluster requires of any command.
   */
  add(key: string, queue: (pipeline: P) => unknown): this {
    this.#commands.push({ key, queue });
    return this;
  }

  get length(): number {
    return this.#commands.length;
  }

  /** Sends every command; rejects only when a connection fails (a command's own error is in its reply). */
  async exec(): Promise<PipelineReply[]> {
    const commands = this.#commands;
    if (commands.length === 0) return [];
    const groups = groupByNode(this.#redis, commands);
    const replies: PipelineReply[] = new Array(commands.length);
    await Promise.all(
      [...groups.values()].map(async (positions) => {
        const pipeline = this.#redis.pipeline() as P;
        for (const position of positions) {
          const before = pipeline.length;
          commands[position]?.queue(pipeline);
          if (pipeline.length !== before + 1) throw new Error('CrossSlotPipeline.add queues one command');
        }
        const answers = ((await pipeline.exec()) ?? []) as PipelineReply[];
        positions.forEach((position, index) => {
          replies[position] = answers[index] ?? [new Error('no reply from the pipeline'), null];
        });
      }),
    );
    return replies;
  }
}

/** Positions of the commands by the group of nodes serving their slot (one group on one server). */
function groupByNode(redis: Redis, commands: readonly { key: string }[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  commands.forEach(({ key }, position) => {
    let group = '';
    if (redis instanceof Cluster) {
      const slot = calculateSlot(key);
      // Unknown before the slots are loaded: each slot on its own is always accepted.
      group = redis.slots[slot]?.join(',') || `slot:${slot}`;
    }
    const positions = groups.get(group);
    if (positions) positions.push(position);
    else groups.set(group, [position]);
  });
  return groups;
}

/** The servers that hold keys: the server itself, or every primary of a Redis Cluster once it is ready. */
export async function keyHoldingServers(redis: Redis, timeoutMs = 10_000): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(new Error(`Redis Cluster was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  }
  return redis.nodes('master');
}

/**
 * Every key matching `pattern`, in batches: SCAN walks one server's keyspace, so on a Redis Cluster each
 * primary is scanned in turn (a SCAN sent through the cluster client reaches one node only).
 */
export async function* scanKeys(redis: Redis, pattern: string, count = 1_000): AsyncGenerator<string[]> {
  for (const server of await keyHoldingServers(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** Unlinks every key matching `pattern` (tests and benchmarks clean up their prefix); returns how many. */
export async function unlinkKeysMatching(redis: Redis, pattern: string): Promise<number> {
  let removed = 0;
  for await (const keys of scanKeys(redis, pattern)) {
    const pipeline = new CrossSlotPipeline(redis);
    for (const key of keys) pipeline.add(key, (commands) => commands.unlink(key));
    await pipeline.exec();
    removed += keys.length;
  }
  return removed;
}
