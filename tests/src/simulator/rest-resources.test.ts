import { DiscordSimulator, SnowflakeGenerator } from '@dgc/discord-simulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restClient } from './rest-client.js';

const token = 'c2ltdWxhdG9yLXRlc3Q.resources.test-token-for-the-simulator-rest';
let simulator: DiscordSimulator;
let api: ReturnType<typeof restClient>;

beforeEach(async () => {
  // Generous route limits: these tests check validation and state, not pacing (rest-conformance does).
  const generous = { limit: 1_000, windowMs: 1_000 };
  simulator = await DiscordSimulator.start({
    token,
    guildCount: 3,
    seed: 9,
    routeLimits: {
      bans: generous,
      bulkBan: generous,
      bulkDelete: generous,
      member: generous,
      memberRoles: generous,
    },
  });
  api = restClient(simulator, token);
});

afterEach(async () => {
  await simulator.stop();
});

const guild = () => {
  const first = simulator.guilds[0];
  if (!first) throw new Error('no guild');
  return first;
};
const textChannelId = () => guild().channels.find((channel) => channel.type === 0)?.id ?? '';
const humanId = (index = 1) => guild().members[index]?.user.id ?? '';
const json = (value: unknown) => JSON.stringify(value);

describe('REST resources', () => {
  it('edits and deletes the bot’s message; edits of others’ messages are refused with 50005', async () => {
    const created = await api(`/channels/${textChannelId()}/messages`, {
      method: 'POST',
      body: json({ content: 'v1' }),
    });
    const id = created.body?.id as string;
    const edited = await api(`/channels/${textChannelId()}/messages/${id}`, {
      method: 'PATCH',
      body: json({ content: 'v2' }),
    });
    expect(edited.body).toMatchObject({ id, content: 'v2' });
    expect(edited.body?.edited_timestamp).toEqual(expect.any(String));
    const userMessage = simulator.injectMessageCreate({ guildId: guild().id, channelId: textChannelId() });
    const refused = await api(`/channels/${textChannelId()}/messages/${userMessage.id}`, {
      method: 'PATCH',
      body: json({ content: 'x' }),
    });
    expect(refused).toMatchObject({ status: 403, body: { code: 50005 } });
    expect((await api(`/channels/${textChannelId()}/messages/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(
      (await api(`/channels/${textChannelId()}/messages/${id}`, { method: 'DELETE' })).body,
    ).toMatchObject({ code: 10008 });
  });

  it('bulk-deletes 2–100 unique messages under 14 days old and refuses everything else', async () => {
    const channel = textChannelId();
    const recent = simulator
      .injectMessageCreates(3, { guildId: guild().id, channelId: channel })
      .map((message) => message.id);
    const bulk = (messages: string[]) =>
      api(`/channels/${channel}/messages/bulk-delete`, { method: 'POST', body: json({ messages }) });
    expect((await bulk([recent[0] ?? ''])).body).toMatchObject({ code: 50016 });
    expect((await bulk(Array.from({ length: 101 }, (_, index) => String(1_000 + index)))).body).toMatchObject(
      { code: 50016 },
    );
    expect((await bulk([recent[0] ?? '', recent[0] ?? ''])).body).toMatchObject({ code: 50035 });
    const old = new SnowflakeGenerator(3).next(Date.now() - 15 * 86_400_000);
    expect((await bulk([recent[0] ?? '', old])).body).toMatchObject({ code: 50034 });
    expect((await bulk(recent)).status).toBe(204);
    const gone = await api(`/channels/${channel}/messages/${recent[1]}`, { method: 'DELETE' });
    expect(gone.body).toMatchObject({ code: 10008 });
  });

  it('bans and unbans with GUILD_BAN_ADD semantics, lists bans sorted by user id, and 10026 for unknown bans', async () => {
    const [first, second] = [humanId(1), humanId(2)];
    expect(
      (
        await api(`/guilds/${guild().id}/bans/${second}`, {
          method: 'PUT',
          body: json({ delete_message_seconds: 60 }),
          reason: 'spam',
        })
      ).status,
    ).toBe(204);
    expect((await api(`/guilds/${guild().id}/bans/${first}`, { method: 'PUT' })).status).toBe(204);
    expect(guild().members.some((member) => member.user.id === first)).toBe(false);
    const list = await api(`/guilds/${guild().id}/bans?limit=10`);
    const ids = (list.body as unknown as { user: { id: string } }[]).map((entry) => entry.user.id);
    expect(ids).toEqual([first, second].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    expect((await api(`/guilds/${guild().id}/bans/${second}`)).body).toMatchObject({ reason: 'spam' });
    expect((await api(`/guilds/${guild().id}/bans/${first}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/guilds/${guild().id}/bans/${first}`, { method: 'DELETE' })).body).toMatchObject({
      code: 10026,
    });
    expect(
      (
        await api(`/guilds/${guild().id}/bans/${first}`, {
          method: 'PUT',
          body: json({ delete_message_seconds: 604_801 }),
        })
      ).body,
    ).toMatchObject({ code: 50035 });
  });

  it('bulk-bans at most 200 users, reports already-banned ones as failed, and 500000 when none could be banned', async () => {
    const ids = [humanId(1), humanId(2)];
    const first = await api(`/guilds/${guild().id}/bulk-ban`, {
      method: 'POST',
      body: json({ user_ids: ids }),
    });
    expect(first).toMatchObject({ status: 200, body: { banned_users: ids, failed_users: [] } });
    const again = await api(`/guilds/${guild().id}/bulk-ban`, {
      method: 'POST',
      body: json({ user_ids: ids }),
    });
    expect(again.body).toMatchObject({ code: 500_000 });
    const tooMany = Array.from({ length: 201 }, (_, index) => String(10_000 + index));
    expect(
      (await api(`/guilds/${guild().id}/bulk-ban`, { method: 'POST', body: json({ user_ids: tooMany }) }))
        .body,
    ).toMatchObject({ code: 50035 });
  });

  it('times a member out for at most 28 days and kicks members', async () => {
    const userId = humanId(1);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const timedOut = await api(`/guilds/${guild().id}/members/${userId}`, {
      method: 'PATCH',
      body: json({ communication_disabled_until: until }),
    });
    expect(timedOut.body).toMatchObject({ communication_disabled_until: until });
    const tooLong = new Date(Date.now() + 29 * 86_400_000).toISOString();
    expect(
      (
        await api(`/guilds/${guild().id}/members/${userId}`, {
          method: 'PATCH',
          body: json({ communication_disabled_until: tooLong }),
        })
      ).body,
    ).toMatchObject({ code: 50035 });
    expect((await api(`/guilds/${guild().id}/members/${userId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/guilds/${guild().id}/members/${userId}`)).body).toMatchObject({ code: 10007 });
  });

  it('adds and removes roles, with 10011 for an unknown role', async () => {
    const userId = humanId(1);
    const roleId = guild().roles[1]?.id ?? '';
    expect(
      (await api(`/guilds/${guild().id}/members/${userId}/roles/${roleId}`, { method: 'PUT' })).status,
    ).toBe(204);
    expect((await api(`/guilds/${guild().id}/members/${userId}`)).body).toMatchObject({ roles: [roleId] });
    expect(
      (await api(`/guilds/${guild().id}/members/${userId}/roles/${roleId}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect(
      (await api(`/guilds/${guild().id}/members/${userId}/roles/1`, { method: 'PUT' })).body,
    ).toMatchObject({ code: 10011 });
  });

  it('reads guilds, members and channels, with 10004 / 10003 for unknown ones', async () => {
    expect((await api(`/guilds/${guild().id}`)).body).toMatchObject({ id: guild().id, name: guild().name });
    expect((await api('/guilds/1')).body).toMatchObject({ code: 10004 });
    expect((await api(`/channels/${textChannelId()}`)).body).toMatchObject({
      id: textChannelId(),
      guild_id: guild().id,
    });
    expect((await api('/channels/1')).body).toMatchObject({ code: 10003 });
    expect((await api(`/guilds/${guild().id}/members/${humanId(1)}`)).body).toMatchObject({
      user: { id: humanId(1) },
    });
  });

  it('opens one DM channel per recipient and accepts messages in it', async () => {
    const first = await api('/users/@me/channels', {
      method: 'POST',
      body: json({ recipient_id: humanId(1) }),
    });
    const again = await api('/users/@me/channels', {
      method: 'POST',
      body: json({ recipient_id: humanId(1) }),
    });
    expect(first.body).toMatchObject({ type: 1, recipients: [{ id: humanId(1) }] });
    expect(again.body?.id).toBe(first.body?.id);
    const sent = await api(`/channels/${first.body?.id}/messages`, {
      method: 'POST',
      body: json({ content: 'hello' }),
    });
    expect(sent.status).toBe(200);
    expect(
      (await api('/users/@me/channels', { method: 'POST', body: json({ recipient_id: '1' }) })).body,
    ).toMatchObject({ code: 50033 });
  });

  it('serves interaction follow-ups and the original response through the webhook routes, for 15 minutes', async () => {
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    const webhook = `/webhooks/${simulator.applicationId}/${interaction.token}`;
    expect(
      (await api(webhook, { method: 'POST', auth: false, body: json({ content: 'too early' }) })).body,
    ).toMatchObject({ code: 10015 });
    await api(`/interactions/${interaction.id}/${interaction.token}/callback`, {
      method: 'POST',
      auth: false,
      body: json({ type: 4, data: { content: 'pong' } }),
    });
    const original = await api(`${webhook}/messages/@original`, { auth: false });
    expect(original.body).toMatchObject({ content: 'pong' });
    const edited = await api(`${webhook}/messages/@original`, {
      method: 'PATCH',
      auth: false,
      body: json({ content: 'pong!' }),
    });
    expect(edited.body).toMatchObject({ content: 'pong!' });
    const followUp = await api(webhook, { method: 'POST', auth: false, body: json({ content: 'more' }) });
    expect(followUp.body).toMatchObject({ content: 'more' });
    expect(
      (await api(`${webhook}/messages/${followUp.body?.id}`, { method: 'DELETE', auth: false })).status,
    ).toBe(204);
    expect(
      (
        await api(`/webhooks/${simulator.applicationId}/wrong-token`, {
          method: 'POST',
          auth: false,
          body: json({ content: 'x' }),
        })
      ).body,
    ).toMatchObject({ code: 10015 });
  });
});
