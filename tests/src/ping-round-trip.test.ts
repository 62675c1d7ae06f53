import { InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { startService } from './support/services.js';

describe('/ping through the whole cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await createTestCluster('ping');
    cluster.processes.push(await startService('worker', cluster.env));
    cluster.processes.push(await startService('gateway', cluster.env));
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('answers a /ping interaction through the callback with the gateway→worker latency', async () => {
    const interaction = cluster.simulator.injectInteraction({ commandName: 'ping' });
    const callback = await cluster.simulator.waitForInteractionResponse(interaction.id, 10_000);
    expect(callback.status).toBe(204);
    expect(callback.requestBody).toMatchObject({
      type: InteractionResponseType.ChannelMessageWithSource,
      data: { flags: MessageFlags.Ephemeral },
    });
    const content = (callback.requestBody as { data: { content: string } }).data.content;
    expect(content).toMatch(/^Pong! gateway→worker \d+ ms \(shard \d+, seq \d+\)$/);
  });

  it('answers every one of many concurrent /ping interactions exactly once', async () => {
    const interactions = Array.from({ length: 50 }, () =>
      cluster.simulator.injectInteraction({ commandName: 'ping' }),
    );
    const callbacks = await Promise.all(
      interactions.map((interaction) => cluster.simulator.waitForInteractionResponse(interaction.id, 15_000)),
    );
    expect(callbacks.every((callback) => callback.status === 204)).toBe(true);
    const ids = new Set(interactions.map((interaction) => interaction.id));
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 10_000 }).toBe(0);
    const callbacksForThese = cluster.simulator.restCalls.filter(
      (call) => call.route.includes('/callback') && [...ids].some((id) => call.path.includes(id)),
    );
    expect(callbacksForThese).toHaveLength(50);
  });

  it('does not answer a redelivered interaction twice (worker-side dedupe)', async () => {
    const interaction = cluster.simulator.injectInteraction({ commandName: 'ping' });
    await cluster.simulator.waitForInteractionResponse(interaction.id, 10_000);
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 10_000 }).toBe(0);
    const completed = await cluster.probe.queue('interactions').getJobs(['completed'], 0, 200);
    const original = completed.find(
      (job) => (job.data as { payload: { id: string } }).payload.id === interaction.id,
    );
    expect(original).toBeDefined();
    // Redelivery as a stalled job or a gateway resume replay would produce it.
    await cluster.probe.queue('interactions').add(original?.name ?? 'INTERACTION_CREATE', original?.data);
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 10_000 }).toBe(0);
    expect(await cluster.probe.failed()).toBe(0);
    const callbacks = cluster.simulator.restCalls.filter(
      (call) => call.route === `/interactions/${interaction.id}/:token/callback`,
    );
    expect(callbacks).toHaveLength(1);
  });

  it('tells the user when a command is unknown', async () => {
    const interaction = cluster.simulator.injectInteraction({ commandName: 'does-not-exist' });
    const callback = await cluster.simulator.waitForInteractionResponse(interaction.id, 10_000);
    expect((callback.requestBody as { data: { content: string } }).data.content).toBe(
      'Unknown command `/does-not-exist`.',
    );
  });

  it('shuts the gateway and the worker down cleanly on SIGTERM', async () => {
    const exits = await cluster.teardown();
    expect(exits).toEqual({ worker: 0, gateway: 0 });
    cluster = undefined as unknown as TestCluster;
  });
});
