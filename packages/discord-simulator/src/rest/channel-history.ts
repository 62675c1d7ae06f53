/** Messages a channel's history keeps, newest kept: bounded so generated traffic stays flat. */
const keptPerChannel = 10_000;

const compareIds = (a: string, b: string) =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;

/**
 * Each channel's message ids in snowflake order, for `GET /channels/{id}/messages` (before, after, around,
 * limit). Ids only: the messages themselves stay where RestState keeps them, and an id whose message was
 * evicted there is skipped when read, so this index never has to follow evictions.
 */
export class ChannelHistory {
  readonly #ids = new Map<string, string[]>();

  add(channelId: string, messageId: string): void {
    let ids = this.#ids.get(channelId);
    if (!ids) {
      ids = [];
      this.#ids.set(channelId, ids);
    }
    const last = ids[ids.length - 1];
    // Messages nearly always arrive newest last; a back-dated one is inserted in place.
    if (last === undefined || compareIds(last, messageId) < 0) ids.push(messageId);
    else {
      const index = this.#lowerBound(ids, messageId);
      if (ids[index] === messageId) return;
      ids.splice(index, 0, messageId);
    }
    if (ids.length > keptPerChannel) ids.splice(0, ids.length - keptPerChannel);
  }

  remove(channelId: string, messageId: string): void {
    const ids = this.#ids.get(channelId);
    if (!ids) return;
    const index = this.#lowerBound(ids, messageId);
    if (ids[index] === messageId) ids.splice(index, 1);
  }

  /**
   * Ids in Discord's order (newest first), at most `limit`: before `before`, after `after`, or around
   * `around` (half before, half after, the message itself included), else the newest.
   */
  page(
    channelId: string,
    query: { before?: string; after?: string; around?: string; limit: number },
    exists: (messageId: string) => boolean,
  ): string[] {
    const ids = this.#ids.get(channelId) ?? [];
    const { limit } = query;
    // Walks outward from the cursor, skipping ids whose message is gone, so a read costs O(limit).
    const older = (from: number, count: number) => {
      const found: string[] = [];
      for (let index = from; index >= 0 && found.length < count; index -= 1) {
        const id = ids[index] as string;
        if (exists(id)) found.push(id);
      }
      return found;
    };
    const newer = (from: number, count: number) => {
      const found: string[] = [];
      for (let index = from; index < ids.length && found.length < count; index += 1) {
        const id = ids[index] as string;
        if (exists(id)) found.push(id);
      }
      return found.reverse();
    };
    if (query.around !== undefined) {
      const at = this.#lowerBound(ids, query.around);
      const after = newer(at, limit - Math.floor(limit / 2));
      return [...after, ...older(at - 1, limit - after.length)];
    }
    if (query.after !== undefined) return newer(this.#upperBound(ids, query.after), limit);
    const end = query.before !== undefined ? this.#lowerBound(ids, query.before) : ids.length;
    return older(end - 1, limit);
  }

  /** First index whose id is ≥ `id`. */
  #lowerBound(ids: readonly string[], id: string): number {
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareIds(ids[middle] as string, id) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** First index whose id is > `id`. */
  #upperBound(ids: readonly string[], id: string): number {
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareIds(ids[middle] as string, id) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
