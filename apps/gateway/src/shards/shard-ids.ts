/** Parses `0-3,8,10-11` into sorted unique shard ids; throws with the offending part otherwise. */
export function parseShardIds(spec: string): number[] {
  const ids = new Set<number>();
  for (const part of spec.split(',')) {
    const trimmed = part.trim();
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(trimmed);
    if (range) {
      const start = Number(range[1]);
      const end = Number(range[2]);
      if (start > end) throw new Error(`range "${trimmed}" ends before it starts`);
      if (end - start > 100_000) throw new Error(`range "${trimmed}" is implausibly large`);
      for (let id = start; id <= end; id += 1) ids.add(id);
    } else if (/^\d+$/.test(trimmed)) {
      ids.add(Number(trimmed));
    } else {
      throw new Error(`"${trimmed}" is not a shard id or range (expected e.g. 0-3,8)`);
    }
  }
  return [...ids].sort((a, b) => a - b);
}
