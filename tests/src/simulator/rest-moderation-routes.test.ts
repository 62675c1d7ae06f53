import { DiscordSimulator } from '@dgc/discord-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restClient } from './rest-client.js';

const token = 'c2ltdWxhdG9yLXRlc3Q.moderation.test-token-for-the-simulator-rest';
let simulator: DiscordSimulator;
let api: ReturnType<typeof restClient>;

beforeAll(async () => {
  const generous = { limit: 1_000, windowMs: 1_000 };
  simulator = await DiscordSimulator.start({
    token,
    guildCount: 2,
    seed: 11,
    routeLimits: { getMessages: generous, bans: generous, dmChannel: generous, createMessage: generous },
  });
  api = restClient(simulator, token);
});

afterAll(async () => {
  await simulator?.stop();
});

const guild = () => {
  const first = simulator.guilds[0];
  if (!first) throw new Error('no guild');
  return first;
};
const channelId = () => guild().channels.find((channel) => channel.type === 0)?.id ?? '';
const ids = (body: unknown) => (body as { id: string }[]).map((message) => message.id);

describe('REST routes a moderation bot uses', () => {
  it('pages a channel’s history newest first with before, after, around and limit', async () => {
    const channel = guild().channels.filter((candidate) => candidate.type === 0)[1]?.id ?? '';
    const dayMs = 86_400_000;
    // Back-dated messages first (a generator never goes back in time), then recent ones.
    const old = simulator.injectMessageCreates(3, {
      guildId: guild().id,
      channelId: channel,
      sentAt: Date.now() - 20 * dayMs,
    });
    const recent = simulator.injectMessageCreates(7, { guildId: guild().id, channelId: channel });
    const all = [...old, ...recent].map((message) => message.id);
    const newestFirst = [...all].reverse();

    expect(ids((await api(`/channels/${channel}/messages?limit=100`)).body)).toEqual(newestFirst);
    expect(ids((await api(`/channels/${channel}/messages?limit=4`)).body)).toEqual(newestFirst.slice(0, 4));
    expect(ids((await api(`/channels/${channel}/messages?before=${all[5]}&limit=3`)).body)).toEqual([
      all[4],
      all[3],
      all[2],
    ]);
    expect(ids((await api(`/channels/${channel}/messages?after=${all[1]}&limit=2`)).body)).toEqual([
      all[3],
      all[2],
    ]);
    expect(ids((await api(`/channels/${channel}/messages?around=${all[5]}&limit=3`)).body)).toEqual([
      all[6],
      all[5],
      all[4],
    ]);
    expect((await api(`/channels/${channel}/messages?limit=101`)).body).toMatchObject({ code: 50035 });
    const single = await api(`/channels/${channel}/messages/${all[0]}`);
    expect(single.body).toMatchObject({ id: all[0], channel_id: channel });
    await api(`/channels/${channel}/messages/${all[9]}`, { method: 'DELETE' });
    expect(ids((await api(`/channels/${channel}/messages?limit=2`)).body)).toEqual([all[8], all[7]]);
    expect((await api(`/channels/${channel}/messages/${all[9]}`)).body).toMatchObject({ code: 10008 });
    // A back-dated message is too old for a bulk delete.
    const bulk = await api(`/channels/${channel}/messages/bulk-delete`, {
      method: 'POST',
      body: JSON.stringify({ messages: [all[0], all[8]] }),
    });
    expect(bulk.body).toMatchObject({ code: 50034 });
  });

  it('records the audit-log reason in the ledger, decoded', async () => {
    const userId = guild().members[1]?.user.id ?? '';
    const reason = 'spam — 3 links';
    expect((await api(`/guilds/${guild().id}/bans/${userId}`, { method: 'PUT', reason })).status).toBe(204);
    const call = simulator.restCalls.find(
      (record) => record.method === 'PUT' && record.route === `/guilds/${guild().id}/bans/${userId}`,
    );
    expect(call?.auditLogReason).toBe(reason);
  });

  it('opens DM channels readable after creation; a user with closed DMs answers 50007', async () => {
    const [open, closed] = [guild().members[2]?.user.id ?? '', guild().members[3]?.user.id ?? ''];
    simulator.closeDirectMessages(closed);
    const dm = async (userId: string) => {
      const channel = await api('/users/@me/channels', {
        method: 'POST',
        body: JSON.stringify({ recipient_id: userId }),
      });
      const id = channel.body?.id as string;
      expect((await api(`/channels/${id}`)).body).toMatchObject({ id, type: 1 });
      return api(`/channels/${id}/messages`, { method: 'POST', body: JSON.stringify({ content: 'hi' }) });
    };
    expect((await dm(open)).status).toBe(200);
    expect(await dm(closed)).toMatchObject({ status: 403, body: { code: 50007 } });
  });

  it('answers a repeated enforce_nonce message with the message already created', async () => {
    const send = () =>
      api(`/channels/${channelId()}/messages`, {
        method: 'POST',
        body: JSON.stringify({ content: 'once', nonce: 'reminder-1', enforce_nonce: true }),
      });
    const [first, second] = [await send(), await send()];
    expect(second.body?.id).toBe(first.body?.id);
    const plain = await api(`/channels/${channelId()}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'again', nonce: 'reminder-1' }),
    });
    expect(plain.body?.id).not.toBe(first.body?.id);
  });

  it('refuses requests on command with Discord’s error (fault kind refuse)', async () => {
    const userId = guild().members[4]?.user.id ?? '';
    simulator.faults.addRestFault({ kind: 'refuse', pathPrefix: `/guilds/${guild().id}/bans/${userId}` });
    const refused = await api(`/guilds/${guild().id}/bans/${userId}`, { method: 'PUT' });
    expect(refused).toMatchObject({ status: 403, body: { code: 50013, message: 'Missing Permissions' } });
    simulator.faults.clearRestFaults();
    expect(channelId()).not.toBe('');
  });
});
