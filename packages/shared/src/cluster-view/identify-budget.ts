import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

/** Discord's daily session starts ran out: shards that must identify wait until `resetAt`. */
export interface IdentifyBudgetExhaustion {
  /** Session starts per day Discord allows this bot. */
  total: number;
  /** When Discord resets the budget (epoch ms). */
  resetAt: number;
}

/** What a gateway recorded when Discord said no session starts were left; null while some are. */
export async function readIdentifyBudgetExhaustion(
  redis: Redis,
  keyPrefix: string,
): Promise<IdentifyBudgetExhaustion | null> {
  const budget = await redis.hgetall(new RedisKeys(keyPrefix).identifyBudgetExhausted());
  if (budget.resetAt === undefined) return null;
  return { total: Number(budget.total), resetAt: Number(budget.resetAt) };
}
