import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Queue } from 'bullmq';

/** What Bull Board shows in place of a secret. */
export const maskedValue = '***';

/**
 * Keys whose string values are credentials in job data: an interaction's `token` answers (and edits the
 * reply) as the bot for 15 minutes after the event, so whoever reads the board must not see it.
 */
const secretKeys = new Set(['token']);

/** A copy of job data with every secret field, at any depth (single events, batches, parked events), masked. */
export function maskJobSecrets(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(maskJobSecrets);
  if (data === null || typeof data !== 'object') return data;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      secretKeys.has(key) && typeof value === 'string' ? maskedValue : maskJobSecrets(value),
    ]),
  );
}

/**
 * A queue as Bull Board shows it, with the secrets of its jobs' data and return values masked in the API
 * and therefore on the page. Editing a job's data from the board would save the mask in place of the
 * token: such a job's interaction can no longer be answered, which an operator editing it accepts.
 */
export function maskedQueueAdapter(queue: Queue): BullMQAdapter {
  const adapter = new BullMQAdapter(queue);
  adapter.setFormatter('data', maskJobSecrets);
  adapter.setFormatter('returnValue', maskJobSecrets);
  return adapter;
}
