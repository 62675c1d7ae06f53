import { readFile } from 'node:fs/promises';
import type { DiscordSimulator } from '@dgc/discord-simulator';
import { expect } from 'vitest';
import type { EventsQueueProbe } from './queue-inspection.js';

/** Each message's handler runs (their times), read from the file `fixtures/run-ledger-bot.ts` appends to. */
export async function handlerRuns(file: string, onlyClaimed = false): Promise<Map<string, number[]>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const runs = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const [id, at, , claimed] = line.split(' ');
    if (!id || !at || (onlyClaimed && claimed !== '1')) continue;
    const times = runs.get(id) ?? [];
    times.push(Number(at));
    runs.set(id, times);
  }
  return runs;
}

/** Per worker process, the time of its first handler run after `since`: when each consumed again. */
export async function firstRunsAfter(file: string, since: number): Promise<Map<string, number>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const first = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [, at, pid] = line.split(' ');
    const time = Number(at);
    if (!pid || !(time > since)) continue;
    first.set(pid, Math.min(first.get(pid) ?? time, time));
  }
  return first;
}

export interface RunLedgerOutcome {
  sent: number;
  /** Sent, and no handler ran for it. */
  missing: string[];
  /** Its side effect (the PostgreSQL-claimed write) happened more than once: never, by construction. */
  handledTwice: string[];
  /** Its side effect never happened although a handler ran. */
  effectMissing: string[];
  /** Its handler ran more than once (Redis's dedupe lost a claim); the side effect still happened once. */
  ranTwice: string[];
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
  const [runs, effects] = await Promise.all([handlerRuns(file), handlerRuns(file, true)]);
  return {
    sent: sent.size,
    missing: [...sent].filter((id) => !runs.has(id)),
    handledTwice: [...effects].filter(([, times]) => times.length > 1).map(([id]) => id),
    effectMissing: [...sent].filter((id) => !effects.has(id)),
    ranTwice: [...runs].filter(([, times]) => times.length > 1).map(([id]) => id),
  };
}
