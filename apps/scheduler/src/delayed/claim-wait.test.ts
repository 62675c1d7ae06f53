import { describe, expect, it } from 'vitest';
import { claimWaitMs, LoopWakeup } from './claim-wait.js';

describe('claimWaitMs', () => {
  it('sleeps until the next job is due when that is sooner than the poll', () => {
    expect(claimWaitMs(120, 250, 20)).toBe(120);
  });

  it('looks again after the poll interval when the next job is later or nothing is known', () => {
    expect(claimWaitMs(5_000, 250, 20)).toBe(250);
    expect(claimWaitMs(null, 250, 20)).toBe(250);
  });

  it('never loops tightly over due rows another replica is claiming', () => {
    expect(claimWaitMs(0, 250, 20)).toBe(20);
  });
});

describe('LoopWakeup', () => {
  it('ends a sleep early on wake, and drops a wake with nobody asleep', async () => {
    const wakeup = new LoopWakeup();
    wakeup.wake();
    let woken = false;
    const sleeping = wakeup.sleep(Number.POSITIVE_INFINITY).then(() => {
      woken = true;
    });
    await Promise.resolve();
    expect(woken).toBe(false);
    wakeup.wake();
    await sleeping;
    expect(woken).toBe(true);
  });
});
