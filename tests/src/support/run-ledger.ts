import { readFile } from 'node:fs/promises';
import type { DiscordSimulator } from '@dgc/discord-simulator';
import { expect } from 'vitest';
import type { EventsQueueProbe } from './queue-inspection.js';

/** Each message's handler runs, read from the file `fixtures/run-ledger-bot.ts` appends to. */
export async function handlerRuns(file: string): Promise<Map<string, number[]>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const runs = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const [id, at] = line.split(' ');
    if (!id || !at) continue;
    const times = runs.get(id) ?? [];
    times.push(Number(at));
    runs.set(id, times);
  }
  return runs;
}

export interface RunLedgerOutcome {
  sent: number;
  missing: string[];
  handledTwice: string[];
}

/**
 * Waits until the handler ran for every MESSAGE_CREATE the simulator sent (its ledger) and the lanes are
 * empty, then compares: returns what is missing and what ran more than once, for the test to assert.
 */
export async function compareWithLedger(
  simulator: DiscordSimulator,
  file: string,
  probe: EventsQueueProbe,
  timeoutMs: number,
): Promise<RunLedgerOutcome> {
  const sent = new Set(simulator.ledger.entries('MESSAGE_CREATE').map((record) => record.key));
  const missingNow = async () => {
    const runs = await handlerRuns(file);
    return [...sent].filter((id) => !runs.has(id)).length;
  };
  await expect
    .poll(missingNow, { timeout: timeoutMs, interval: 500 })
    .toBe(0)
    .catch(() => {});
  // Nothing left in the lanes means no further run can come: the comparison below is final.
  await expect
    .poll(() => probe.unfinished(), { timeout: 30_000, interval: 500 })
    .toBe(0)
    .catch(async (error: unknown) => {
      const counts = await probe.queue('events').getJobCounts();
      throw new Error(
        `jobs left in the events lane: ${JSON.stringify(counts)}, missing ${await missingNow()}`,
        { cause: error },
      );
    });
  const runs = await handlerRuns(file);
  return {
    sent: sent.size,
    missing: [...sent].filter((id) => !runs.has(id)),
    handledTwice: [...runs].filter(([, times]) => times.length > 1).map(([id]) => id),
  };
}
