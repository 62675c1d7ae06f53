import { createLogger } from '@dgc/shared';
import { describe, expect, it } from 'vitest';
import {
  DependencyBreaker,
  type DependencyProbe,
  nextProbeDelay,
  type PausableIntake,
} from './dependency-breaker.js';

class OutageError extends Error {}

/** A dependency that stays down until `restore()`; counts the probes it answered or refused. */
class ScriptedProbe implements DependencyProbe {
  readonly dependency = 'postgres';
  up = false;
  probes = 0;

  isOutage(error: unknown): boolean {
    return error instanceof OutageError;
  }

  async check(): Promise<void> {
    this.probes += 1;
    if (!this.up) throw new Error('connection refused');
  }
}

/** Records what the breaker did to a lane's workers. */
class RecordingIntake implements PausableIntake {
  readonly calls: string[] = [];
  async pause(): Promise<void> {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

const logger = createLogger({ name: 'test', level: 'silent' });
const fastBackoff = { firstMs: 1, maxMs: 4 };

describe('nextProbeDelay', () => {
  it('doubles from the first wait up to the cap', () => {
    const backoff = { firstMs: 250, maxMs: 5_000 };
    const delays = [250];
    for (let probe = 0; probe < 6; probe += 1) delays.push(nextProbeDelay(delays.at(-1) ?? 0, backoff));
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

describe('DependencyBreaker', () => {
  it('pauses the lane that met the outage, probes until the dependency answers, then resumes it', async () => {
    const probe = new ScriptedProbe();
    const breaker = new DependencyBreaker({ probe, logger, backoff: fastBackoff });
    const events = new RecordingIntake();
    const interactions = new RecordingIntake();
    breaker.guard('events', [events]);
    breaker.guard('interactions', [interactions]);
    expect(breaker.isOpen).toBe(false);

    breaker.trip('events', new OutageError());
    breaker.trip('events', new OutageError());
    expect(breaker.isOpen).toBe(true);
    expect(breaker.pausedLanes).toEqual(['events']);
    // A lane whose handlers never met the outage keeps running.
    expect(interactions.calls).toEqual([]);

    const closed = breaker.whenClosed();
    await expect.poll(() => probe.probes).toBeGreaterThanOrEqual(3);
    expect(breaker.isOpen).toBe(true);
    probe.up = true;
    await closed;
    expect(breaker.isOpen).toBe(false);
    expect(events.calls).toEqual(['pause', 'resume']);
    expect(breaker.pausedLanes).toEqual([]);
  });

  it('opens again at the next outage, and pauses a lane that meets it later', async () => {
    const probe = new ScriptedProbe();
    const breaker = new DependencyBreaker({ probe, logger, backoff: fastBackoff });
    const events = new RecordingIntake();
    const interactions = new RecordingIntake();
    breaker.guard('events', [events]);
    breaker.guard('interactions', [interactions]);
    probe.up = true;
    breaker.trip('events', new OutageError());
    await breaker.whenClosed();
    probe.up = false;
    breaker.trip('events', new OutageError());
    breaker.trip('interactions', new OutageError());
    expect(breaker.pausedLanes).toEqual(['events', 'interactions']);
    probe.up = true;
    await breaker.whenClosed();
    expect(events.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
    expect(interactions.calls).toEqual(['pause', 'resume']);
  });

  it('classifies errors through its probe', () => {
    const breaker = new DependencyBreaker({ probe: new ScriptedProbe(), logger });
    expect(breaker.isOutage(new OutageError())).toBe(true);
    expect(breaker.isOutage(new Error('unique constraint'))).toBe(false);
  });

  it('a waiter whose job is cancelled stops waiting; one that is not keeps waiting', async () => {
    const probe = new ScriptedProbe();
    const breaker = new DependencyBreaker({ probe, logger, backoff: fastBackoff });
    breaker.trip('events', new OutageError());
    const cancelled = new AbortController();
    const waiting = breaker.whenClosed(cancelled.signal);
    cancelled.abort(new Error('worker stopping'));
    await expect(waiting).rejects.toThrow('worker stopping');
    const patient = breaker.whenClosed();
    probe.up = true;
    await patient;
    breaker.stop();
  });

  it('once stopped (shutdown), never resumes a lane nor opens again', async () => {
    const probe = new ScriptedProbe();
    let answer: (() => void) | undefined;
    // The probe in flight when the process stops answers afterwards.
    probe.check = () => {
      probe.probes += 1;
      return new Promise<void>((resolve) => {
        answer = resolve;
      });
    };
    const breaker = new DependencyBreaker({ probe, logger, backoff: fastBackoff });
    const events = new RecordingIntake();
    breaker.guard('events', [events]);
    breaker.trip('events', new OutageError());
    await expect.poll(() => answer).toBeDefined();
    breaker.stop();
    answer?.();
    // Every continuation of the answered probe runs before the next macrotask.
    await new Promise(setImmediate);
    expect(breaker.isOpen).toBe(true);
    expect(events.calls).toEqual(['pause']);
    expect(probe.probes).toBe(1);
    breaker.trip('interactions', new OutageError());
    expect(breaker.pausedLanes).toEqual(['events']);
  });
});
