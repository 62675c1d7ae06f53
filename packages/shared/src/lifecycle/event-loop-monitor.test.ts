import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventLoopMonitor } from './event-loop-monitor.js';

describe('EventLoopMonitor', () => {
  it('reports and warns about a callback that blocks the loop', async () => {
    const lines: string[] = [];
    const logger = pino(
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const monitor = new EventLoopMonitor({ logger, warnAboveMs: 50 }).start(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the histogram take a few samples first
    const blockedUntil = Date.now() + 150;
    while (Date.now() < blockedUntil) {
      // a deliberately blocking loop: the behaviour under test
    }
    await new Promise((resolve) => setTimeout(resolve, 40)); // the delay is recorded when the sampler's timer next runs
    const sample = monitor.sample();
    monitor.stop();
    expect(sample.max).toBeGreaterThanOrEqual(100);
    expect(lines.some((line) => line.includes('event loop was blocked'))).toBe(true);
  });

  it('stays quiet when the loop is free', async () => {
    const lines: string[] = [];
    const logger = pino(
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const monitor = new EventLoopMonitor({ logger, warnAboveMs: 1_000 }).start(60_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    monitor.sample();
    monitor.stop();
    expect(lines).toEqual([]);
  });
});
