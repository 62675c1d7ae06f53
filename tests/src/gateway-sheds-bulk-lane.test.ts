import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { logMessageIs, startService } from './support/services.js';

const highWaterMark = 50;
const typingEvents = 150;

describe('gateway backpressure', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await createTestCluster('shedding', { guildCount: 4 });
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('sheds bulk events above the high-water mark, counts each one, and never sheds interactions', {
    timeout: 60_000,
  }, async () => {
    // No worker runs: the lanes only fill up.
    const gateway = await startService('gateway', {
      ...cluster.env,
      GATEWAY_EVENTS: 'TYPING_START,INTERACTION_CREATE',
      GATEWAY_INTENTS: 'Guilds,GuildMessageTyping',
      GATEWAY_SHED_HIGH_WATER_MARK: String(highWaterMark),
      GATEWAY_DEPTH_POLL_MS: '20',
    });
    cluster.processes.push(gateway);
    for (let index = 0; index < typingEvents; index += 1) cluster.simulator.injectTypingStart();
    for (let index = 0; index < 5; index += 1) cluster.simulator.injectInteraction({ commandName: 'ping' });
    const published = () => cluster.probe.waitingEvents('bulk');
    await expect
      .poll(() => cluster.probe.queue('interactions').getWaitingCount(), { timeout: 10_000 })
      .toBe(5);
    await expect.poll(published, { timeout: 10_000 }).toBeGreaterThanOrEqual(highWaterMark);

    expect((await gateway.stop('SIGTERM', 20_000)).code).toBe(0);
    const waiting = await published();
    expect(waiting).toBeLessThan(typingEvents);
    const shedLine = await gateway.waitForLine(
      logMessageIs('shed low-value events: their lane is backed up'),
      1_000,
    );
    const shed = (JSON.parse(shedLine) as { shed: Record<string, number> }).shed;
    expect(shed).toEqual({ TYPING_START: typingEvents - waiting });
  });
});
