import type { ShardLease } from './shard-leases.js';

/**
 * The shard leases this process holds. `ShardOwnership` writes it as leases are won, renewed and lost; the
 * dispatch router and the lane publishers read it, on every dispatch and before every batch write, to
 * drop what a process paused past its lease must no longer write. A separate object so that those
 * readers need not know the ownership (which needs the shard connections, which need the router).
 */
export class HeldShardLeases {
  readonly #leases = new Map<number, ShardLease>();
  /** Leases found expired by this process's clock once: never valid again (see `holds`). */
  readonly #fenced = new WeakSet<ShardLease>();

  get size(): number {
    return this.#leases.size;
  }

  /**
   * Whether this process may still publish the shard's events: it holds the lease and, by its own clock,
   * the lease cannot have expired yet. Checked before events are written, so a process resumed after a
   * pause longer than the TTL writes nothing for a shard another process has taken over; the next
   * ownership tick stops the shard.
   *
   * Once it answered no for a lease, it answers no for that lease for good, even if a renewal sent before
   * the expiry succeeds afterwards: the dispatches dropped in between were never published, and the
   * shard's next accepted dispatch would move its watermark past them — lost, since nothing replays them.
   * The ownership tick stops a shard whose lease is fenced so, and its next connection resumes from the
   * watermark, which Discord replays from.
   */
  holds(shardId: number, now = Date.now()): boolean {
    const lease = this.#leases.get(shardId);
    if (lease === undefined || this.#fenced.has(lease)) return false;
    if (now < lease.validUntil) return true;
    this.#fenced.add(lease);
    return false;
  }

  get(shardId: number): ShardLease | undefined {
    return this.#leases.get(shardId);
  }

  has(shardId: number): boolean {
    return this.#leases.has(shardId);
  }

  set(shardId: number, lease: ShardLease): void {
    this.#leases.set(shardId, lease);
  }

  delete(shardId: number): void {
    this.#leases.delete(shardId);
  }

  /** Held leases in the order they were taken (deleting while iterating is safe). */
  entries(): IterableIterator<[number, ShardLease]> {
    return this.#leases.entries();
  }

  /** Held shard ids, ascending. */
  shardIds(): number[] {
    return [...this.#leases.keys()].sort((left, right) => left - right);
  }

  /** The most recently taken shard: the one handed over first when rebalancing. */
  newest(): number | undefined {
    let newest: number | undefined;
    for (const shardId of this.#leases.keys()) newest = shardId;
    return newest;
  }
}
