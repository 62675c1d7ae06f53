import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GracefulShutdown } from './graceful-shutdown.js';

const logger = pino({ level: 'silent' });

function shutdownWithExitCapture(drainDeadlineMs: number, stepTimeoutMs = 1_000) {
  const exits: number[] = [];
  const shutdown = new GracefulShutdown({
    logger,
    drainDeadlineMs,
    stepTimeoutMs,
    exit: (code) => exits.push(code),
  });
  return { shutdown, exits };
}

describe('GracefulShutdown', () => {
  it('runs stop intake, then drain, then close steps in registration order and exits 0', async () => {
    const { shutdown, exits } = shutdownWithExitCapture(1_000);
    const order: string[] = [];
    shutdown
      .add('close', 'close redis', () => void order.push('close redis'))
      .add('drain', 'drain jobs', async () => {
        await Promise.resolve();
        order.push('drain jobs');
      })
      .add('stopIntake', 'stop consumer', () => void order.push('stop consumer'))
      .add('close', 'close postgres', () => void order.push('close postgres'));
    expect(await shutdown.shutdown('test')).toBe(0);
    expect(order).toEqual(['stop consumer', 'drain jobs', 'close redis', 'close postgres']);
    expect(exits).toEqual([0]);
  });

  it('aborts the drain signal at the deadline and still closes', async () => {
    const { shutdown, exits } = shutdownWithExitCapture(50);
    let sawAbort = false;
    let closed = false;
    shutdown
      .add('drain', 'slow drain', (deadline) => {
        return new Promise<void>((resolve) => {
          deadline.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          });
        });
      })
      .add('close', 'close', () => {
        closed = true;
      });
    expect(await shutdown.shutdown('test')).toBe(0);
    expect(sawAbort).toBe(true);
    expect(closed).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when a step fails or hangs past its limit, after running the remaining steps', async () => {
    const { shutdown, exits } = shutdownWithExitCapture(20, 30);
    let closed = false;
    shutdown
      .add('stopIntake', 'hangs forever', () => new Promise<void>(() => {}))
      .add('drain', 'throws', () => {
        throw new Error('boom');
      })
      .add('close', 'close', () => {
        closed = true;
      });
    expect(await shutdown.shutdown('test')).toBe(1);
    expect(closed).toBe(true);
    expect(exits).toEqual([1]);
  });

  it('runs its steps only once however often it is asked', async () => {
    const { shutdown, exits } = shutdownWithExitCapture(100);
    let runs = 0;
    shutdown.add('close', 'count', () => {
      runs += 1;
    });
    const results = await Promise.all([shutdown.shutdown('a'), shutdown.shutdown('b')]);
    expect(results).toEqual([0, 0]);
    expect(runs).toBe(1);
    expect(exits).toEqual([0]);
  });
});
