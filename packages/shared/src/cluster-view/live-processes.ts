import type { ProcessRecord } from '../lifecycle/process-registry.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

/** A process whose heartbeat is older than this is considered gone (it beats every 5 s). */
const defaultStaleAfterMs = 15_000;

/** Live processes from the process registry, oldest first; stale records are pruned on the way. */
export async function readLiveProcesses(
  redis: Redis,
  keyPrefix: string,
  staleAfterMs = defaultStaleAfterMs,
): Promise<ProcessRecord[]> {
  const registry = new RedisKeys(keyPrefix).processes();
  const entries = await redis.hgetall(registry);
  const now = Date.now();
  const live: ProcessRecord[] = [];
  const stale: string[] = [];
  for (const [id, json] of Object.entries(entries)) {
    let record: ProcessRecord | undefined;
    try {
      record = JSON.parse(json) as ProcessRecord;
    } catch {
      // An unreadable record is dropped like a stale one.
    }
    if (record && now - record.heartbeatAt <= staleAfterMs) live.push(record);
    else stale.push(id);
  }
  if (stale.length > 0) await redis.hdel(registry, ...stale);
  return live.sort((left, right) => left.startedAt - right.startedAt);
}
