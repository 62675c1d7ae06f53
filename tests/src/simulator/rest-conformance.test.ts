import { DiscordSimulator, type SimulatorOptions } from '@dgc/discord-simulator';
import { afterEach, describe, expect, it } from 'vitest';

const token = 'c2ltdWxhdG9yLXRlc3Q.rest.test-token-for-the-simulator-rest';
let simulator: DiscordSimulator;

async function start(options: Partial<SimulatorOptions> = {}) {
  simulator = await DiscordSimulator.start({ token, guildCount: 4, seed: 5, ...options });
  return simulator;
}

function api(path: string, init: RequestInit & { auth?: boolean } = {}) {
  const headers = new Headers(init.headers);
  if (init.auth !== false) headers.set('authorization', `Bot ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${simulator.restUrl}/v10${path}`, { ...init, headers });
}

function textChannelId(): string {
  const channel = simulator.guilds[0]?.channels.find((candidate) => candidate.type === 0);
  if (!channel) throw new Error('no text channel');
  return channel.id;
}

afterEach(async () => {
  await simulator?.stop();
});

describe('REST conformance', () => {
  it('GET /gateway/bot returns the url, shard count and session start limit', async () => {
    await start({ shardCount: 4, maxConcurrency: 2, sessionStartLimit: { total: 1000, remaining: 998 } });
    const response = await api('/gateway/bot');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { url: string; session_start_limit: { reset_after: number } };
    expect(body).toMatchObject({
      url: simulator.gatewayUrl,
      shards: 4,
      session_start_limit: { total: 1000, remaining: 998, max_concurrency: 2 },
    });
    expect(body.session_start_limit.reset_after).toBeGreaterThan(0);
    expect(body.url).not.toContain('?');
  });

  it('answers 401 without a valid bot token and counts it as an invalid request', async () => {
    await start();
    const response = await api('/gateway/bot', { auth: false });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 0, message: '401: Unauthorized' });
    expect(simulator.stats().invalidRequests).toBe(1);
  });

  it('sends bucket headers and a 429 with Retry-After, scope and retry_after past the limit', async () => {
    await start();
    const channelId = textChannelId();
    const send = () =>
      api(`/channels/${channelId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'hi' }) });
    const responses = [];
    for (let index = 0; index < 6; index += 1) responses.push(await send());
    const first = responses[0];
    expect(first?.status).toBe(200);
    expect(first?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(first?.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(first?.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(Number(first?.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1_000);
    expect(first?.headers.get('x-ratelimit-bucket')).toMatch(/^\w+$/);
    const limited = responses[5];
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get('x-ratelimit-scope')).toBe('user');
    const retryAfter = Number(limited?.headers.get('retry-after'));
    const body = (await limited?.json()) as { retry_after: number };
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(retryAfter).toBe(Math.ceil(body.retry_after));
    expect(simulator.stats().rateLimited.user).toBe(1);
  });

  it('keeps buckets separate per major parameter (channel)', async () => {
    await start();
    const [first, second] = simulator.guilds.flatMap((guild) =>
      guild.channels.filter((channel) => channel.type === 0),
    );
    for (let index = 0; index < 5; index += 1) {
      await api(`/channels/${first?.id}/messages`, {
        method: 'POST',
        body: JSON.stringify({ content: 'a' }),
      });
    }
    const other = await api(`/channels/${second?.id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'b' }),
    });
    expect(other.status).toBe(200);
  });

  it('enforces the global limit with X-RateLimit-Global and no bucket headers', async () => {
    await start({ globalRateLimitPerSecond: 3 });
    const statuses = [];
    let globalResponse: Response | undefined;
    for (let index = 0; index < 4; index += 1) {
      const response = await api('/users/@me');
      statuses.push(response.status);
      if (response.status === 429) globalResponse = response;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(globalResponse?.headers.get('x-ratelimit-global')).toBe('true');
    expect(globalResponse?.headers.get('x-ratelimit-scope')).toBe('global');
    expect(globalResponse?.headers.get('x-ratelimit-bucket')).toBeNull();
    expect(globalResponse?.headers.get('retry-after')).toBe('1');
    expect(await globalResponse?.json()).toMatchObject({ global: true });
  });

  it('creates a message, validates it, and dispatches it as MESSAGE_CREATE', async () => {
    await start();
    const channelId = textChannelId();
    const empty = await api(`/channels/${channelId}/messages`, { method: 'POST', body: JSON.stringify({}) });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 50006 });
    const tooLong = await api(`/channels/${channelId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'x'.repeat(2_001) }),
    });
    expect(await tooLong.json()).toMatchObject({ code: 50035, errors: { content: {} } });
    const unknown = await api('/channels/1/messages', {
      method: 'POST',
      body: JSON.stringify({ content: 'x' }),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 10003 });
    const created = await api(`/channels/${channelId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'hello' }),
    });
    expect(await created.json()).toMatchObject({
      channel_id: channelId,
      content: 'hello',
      author: { bot: true },
    });
  });

  it('accepts one interaction callback (204), rejects a second (40060) and late ones (10062)', async () => {
    await start({ interactionResponseWindowMs: 200 });
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    const callback = (id: string, interactionToken: string) =>
      api(`/interactions/${id}/${interactionToken}/callback`, {
        method: 'POST',
        auth: false,
        body: JSON.stringify({ type: 4, data: { content: 'pong' } }),
      });
    expect((await callback(interaction.id, interaction.token)).status).toBe(204);
    const again = await callback(interaction.id, interaction.token);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 40060 });
    const wrongToken = await callback(interaction.id, 'not-the-token');
    expect(await wrongToken.json()).toMatchObject({ code: 10062 });
    const late = simulator.injectInteraction({ commandName: 'ping' });
    await new Promise((resolve) => setTimeout(resolve, 250)); // the response window is what is under test
    const lateResponse = await callback(late.id, late.token);
    expect(lateResponse.status).toBe(404);
    expect(await lateResponse.json()).toMatchObject({ code: 10062 });
  });

  it('exempts interaction callbacks from the global limit', async () => {
    await start({ globalRateLimitPerSecond: 1 });
    await api('/users/@me');
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    const response = await api(`/interactions/${interaction.id}/${interaction.token}/callback`, {
      method: 'POST',
      auth: false,
      body: JSON.stringify({ type: 4, data: { content: 'pong' } }),
    });
    expect(response.status).toBe(204);
  });

  it('records every call in the ledger with tokens masked in the route', async () => {
    await start();
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    await api(`/interactions/${interaction.id}/${interaction.token}/callback`, {
      method: 'POST',
      auth: false,
      body: JSON.stringify({ type: 5 }),
    });
    const [call] = simulator.restCalls;
    expect(call).toMatchObject({
      method: 'POST',
      route: `/interactions/${interaction.id}/:token/callback`,
      status: 204,
    });
    expect(call?.route).not.toContain(interaction.token);
  });

  it('keeps the newest REST calls and callbacks past restCallsKept, and counts them all', async () => {
    await start({ restCallsKept: 4 });
    const interactions = Array.from({ length: 6 }, () =>
      simulator.injectInteraction({ commandName: 'ping' }),
    );
    for (const interaction of interactions) {
      await api(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        method: 'POST',
        auth: false,
        body: JSON.stringify({ type: 5 }),
      });
    }
    expect(simulator.stats().restCalls).toBe(6);
    expect(simulator.restCalls.length).toBeLessThanOrEqual(4);
    expect(simulator.restCalls.at(-1)?.route).toContain(interactions[5]?.id);
    const newest = interactions[5]?.id ?? '';
    expect((await simulator.waitForInteractionResponse(newest, 50)).route).toContain(newest);
    await expect(simulator.waitForInteractionResponse(interactions[0]?.id ?? '', 50)).rejects.toThrow(
      /no callback/,
    );
  });

  it('hands each interaction its own first callback, to waiters before and after it arrives', async () => {
    await start();
    const first = simulator.injectInteraction({ commandName: 'ping' });
    const second = simulator.injectInteraction({ commandName: 'ping' });
    const unanswered = simulator.injectInteraction({ commandName: 'ping' });
    const firstWaiters = [
      simulator.waitForInteractionResponse(first.id),
      simulator.waitForInteractionResponse(first.id),
    ];
    const secondWaiter = simulator.waitForInteractionResponse(second.id);
    // The assertion is attached at once: on a slow machine the 50 ms run out before the answers below.
    const timedOut = expect(simulator.waitForInteractionResponse(unanswered.id, 50)).rejects.toThrow(
      `no callback for interaction ${unanswered.id} within 50 ms`,
    );
    const answer = (interaction: typeof first, content: string) =>
      api(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        method: 'POST',
        auth: false,
        body: JSON.stringify({ type: 4, data: { content } }),
      });
    await answer(second, 'second');
    await answer(first, 'first');
    await answer(first, 'refused: already answered');
    const contentOf = (record: { requestBody: unknown }) =>
      (record.requestBody as { data: { content: string } }).data.content;
    for (const waiter of firstWaiters) expect(contentOf(await waiter)).toBe('first');
    expect(contentOf(await secondWaiter)).toBe('second');
    expect(contentOf(await simulator.waitForInteractionResponse(first.id))).toBe('first');
    await timedOut;
  });

  it('answers unknown routes with 404 and a Discord error body', async () => {
    await start();
    const response = await api('/nothing/here');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 0, message: '404: Not Found' });
  });
});
