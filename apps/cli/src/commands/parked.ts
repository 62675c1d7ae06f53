import { ParkedDispatches } from '@dgc/shared';
import { colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

/**
 * `parked` lists what the gateways could not queue (frames that are not JSON or not UTF-8, malformed
 * envelopes, unknown event types, oversized payloads), newest first, with the cause. Events a worker
 * refused (invalid payloads) are failed jobs: `failed` lists those.
 */
export async function parkedDispatches({ redis, keyPrefix, args, json }: CommandContext): Promise<void> {
  const parked = new ParkedDispatches(redis, keyPrefix);
  const limit = Number(args[0] ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new Error('usage: parked [count]');
  const [total, records] = await Promise.all([parked.count(), parked.recent(limit)]);
  if (json) {
    console.log(JSON.stringify({ total, records }, null, 2));
    return;
  }
  if (total === 0) {
    console.log(colour('green', 'nothing parked'));
    return;
  }
  console.log(`${total} parked (newest ${records.length} shown)`);
  for (const record of records) {
    const what = `${record.event ?? '-'}${record.sequence === undefined ? '' : `#${record.sequence}`}`;
    console.log(
      `${new Date(record.at).toISOString()}  shard ${String(record.shardId).padEnd(4)} ${record.reason.padEnd(14)} ${what.padEnd(28)} ${String(record.bytes).padStart(9)} B  ${colour('red', record.cause)}`,
    );
  }
}
