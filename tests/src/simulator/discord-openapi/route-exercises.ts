import type { DiscordSimulator } from '@dgc/discord-simulator';
import type { ServedResponse } from './openapi-validator.js';

/**
 * One successful request (and some failing ones) for every route the simulator serves, in an order that
 * creates what later requests need (a message before its edit, an acknowledged interaction before its
 * webhook). Add an exercise here with every new route: the conformance test names routes that have none.
 */
export async function exerciseEveryRoute(
  simulator: DiscordSimulator,
  token: string,
): Promise<ServedResponse[]> {
  const served: ServedResponse[] = [];
  const call = async (method: string, path: string, body?: unknown, auth = true): Promise<unknown> => {
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = `Bot ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${simulator.restUrl}/v10${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    served.push({ method, path, status: response.status, text });
    return text ? JSON.parse(text) : undefined;
  };

  const guild = simulator.guilds[0];
  if (!guild) throw new Error('the simulator has no guild');
  const channelId = guild.channels.find((channel) => channel.type === 0)?.id ?? '';
  const [, member, other, third] = guild.members;
  const memberId = member?.user.id ?? '';
  const roleId = guild.roles.find((role) => role.id !== guild.id)?.id ?? '';
  const applicationId = simulator.applicationId;

  await call('GET', '/gateway', undefined, false);
  await call('GET', '/gateway/bot');
  await call('GET', '/users/@me');
  await call('GET', `/users/${memberId}`);
  await call('GET', '/users/1');
  await call('GET', '/applications/@me');
  await call('GET', '/oauth2/applications/@me');
  await call('POST', '/users/@me/channels', { recipient_id: memberId });

  await call('GET', `/channels/${channelId}`);
  const message = (await call('POST', `/channels/${channelId}/messages`, { content: 'hello' })) as {
    id: string;
  };
  await call('POST', `/channels/${channelId}/messages`, {});
  await call('PATCH', `/channels/${channelId}/messages/${message.id}`, { content: 'edited' });
  await call('DELETE', `/channels/${channelId}/messages/${message.id}`);
  const first = (await call('POST', `/channels/${channelId}/messages`, { content: 'one' })) as { id: string };
  const second = (await call('POST', `/channels/${channelId}/messages`, { content: 'two' })) as {
    id: string;
  };
  await call('GET', `/channels/${channelId}/messages?limit=50`);
  await call('GET', `/channels/${channelId}/messages?before=${second.id}&limit=1`);
  await call('GET', `/channels/${channelId}/messages?around=${first.id}&limit=3`);
  await call('GET', `/channels/${channelId}/messages/${first.id}`);
  await call('GET', `/channels/${channelId}/messages/1`);
  await call('POST', `/channels/${channelId}/messages/bulk-delete`, { messages: [first.id, second.id] });

  await call('GET', `/guilds/${guild.id}`);
  await call('GET', '/guilds/1');
  await call('GET', `/guilds/${guild.id}/channels`);
  await call('GET', `/guilds/${guild.id}/roles`);
  await call('GET', `/guilds/${guild.id}/members?limit=5`);
  await call('GET', `/guilds/${guild.id}/members?limit=5000`);
  await call('GET', `/guilds/${guild.id}/members/${memberId}`);
  await call('PATCH', `/guilds/${guild.id}/members/${memberId}`, { nick: 'renamed' });
  await call('PUT', `/guilds/${guild.id}/members/${memberId}/roles/${roleId}`);
  await call('DELETE', `/guilds/${guild.id}/members/${memberId}/roles/${roleId}`);
  await call('DELETE', `/guilds/${guild.id}/members/${other?.user.id}`);
  await call('PUT', `/guilds/${guild.id}/bans/${memberId}`, { delete_message_seconds: 0 });
  await call('GET', `/guilds/${guild.id}/bans`);
  await call('GET', `/guilds/${guild.id}/bans/${memberId}`);
  await call('DELETE', `/guilds/${guild.id}/bans/${memberId}`);
  await call('GET', `/guilds/${guild.id}/bans/${memberId}`);
  await call('POST', `/guilds/${guild.id}/bulk-ban`, { user_ids: [third?.user.id] });

  // A thread with members (its creator and one more) and a custom emoji, made as Discord would announce them.
  simulator.mutateState(1, { mix: { THREAD_CREATE: 1 }, guildIds: [guild.id] });
  simulator.mutateState(1, { mix: { THREAD_MEMBERS_UPDATE: 1 }, guildIds: [guild.id] });
  simulator.mutateState(1, { mix: { GUILD_EMOJIS_UPDATE: 1 }, guildIds: [guild.id] });
  const thread = guild.threads[0];
  const emoji = guild.emojis[0];
  if (!thread || !emoji) throw new Error('the simulator made no thread or no emoji');
  const threadMemberId = thread.members[0]?.userId ?? '';
  await call('GET', `/channels/${thread.id}`);
  await call('GET', `/channels/${thread.id}/thread-members`);
  await call('GET', `/channels/${thread.id}/thread-members?with_member=true&limit=1`);
  await call('GET', `/channels/${thread.id}/thread-members?with_member=true&limit=500`);
  await call('GET', `/channels/${thread.id}/thread-members/${threadMemberId}?with_member=true`);
  await call('GET', `/channels/${thread.id}/thread-members/${threadMemberId}`);
  await call('GET', `/channels/${thread.id}/thread-members/1`);
  await call('GET', `/channels/${channelId}/thread-members`);
  await call('GET', `/guilds/${guild.id}/emojis`);
  await call('GET', `/guilds/${guild.id}/emojis/${emoji.id}`);
  await call('GET', `/guilds/${guild.id}/emojis/1`);

  const commandsPath = `/applications/${applicationId}/commands`;
  const guildCommandsPath = `/applications/${applicationId}/guilds/${guild.id}/commands`;
  const command = {
    name: 'warn',
    description: 'Warns a member',
    options: [
      { type: 6, name: 'member', description: 'Who', required: true },
      { type: 3, name: 'reason', description: 'Why', max_length: 100 },
      { type: 4, name: 'days', description: 'How long', min_value: 1, max_value: 7 },
    ],
  };
  for (const path of [commandsPath, guildCommandsPath]) {
    const [registered] = (await call('PUT', path, [command])) as { id: string }[];
    await call('GET', path);
    await call('GET', `${path}/${registered?.id}`);
    await call('DELETE', `${path}/${registered?.id}`);
    await call('GET', `${path}/${registered?.id}`);
  }
  await call('PUT', commandsPath, [{ name: 'Bad Name', description: '' }]);

  // An interaction's answer: callback, then its webhook (original message and a follow-up).
  const interaction = simulator.injectInteraction({ commandName: 'warn', guildId: guild.id });
  const webhook = `/webhooks/${applicationId}/${interaction.token}`;
  await call(
    'POST',
    `/interactions/${interaction.id}/${interaction.token}/callback`,
    { type: 4, data: { content: 'hi' } },
    false,
  );
  await call('GET', `${webhook}/messages/@original`, undefined, false);
  await call('PATCH', `${webhook}/messages/@original`, { content: 'edited' }, false);
  const followUp = (await call('POST', webhook, { content: 'more' }, false)) as { id: string };
  await call('DELETE', `${webhook}/messages/${followUp.id}`, undefined, false);
  await call(
    'POST',
    `/interactions/${interaction.id}/${interaction.token}/callback`,
    { type: 4, data: { content: 'again' } },
    false,
  );
  return served;
}
