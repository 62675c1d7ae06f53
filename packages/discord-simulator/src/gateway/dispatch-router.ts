import { intentRequiredFor } from '../model/event-intents.js';
import { routingKeyOf } from '../model/snowflake.js';
import { guildMembersIntent, messageContentIntent } from './close-codes.js';
import type { GatewaySession } from './gateway-session.js';
import type { SessionRegistry } from './session-registry.js';

/** Without MESSAGE_CONTENT, guild messages lose their content unless the bot wrote them or is mentioned. */
function needsContentStripped(event: string, data: unknown, botUserId: string): boolean {
  if (event !== 'MESSAGE_CREATE' && event !== 'MESSAGE_UPDATE') return false;
  const message = data as { guild_id?: string; author?: { id: string }; mentions?: { id: string }[] };
  if (!message.guild_id || message.author?.id === botUserId) return false;
  return !(message.mentions ?? []).some((user) => user.id === botUserId);
}

/** THREAD_MEMBERS_UPDATE goes to sessions without GUILD_MEMBERS only when the bot itself joined or left. */
function concernsOthersOnly(event: string, data: unknown, botUserId: string): boolean {
  if (event !== 'THREAD_MEMBERS_UPDATE') return false;
  const update = data as { added_members?: { user_id: string }[]; removed_member_ids?: string[] };
  const bot =
    (update.added_members ?? []).some((member) => member.user_id === botUserId) ||
    (update.removed_member_ids ?? []).includes(botUserId);
  return !bot;
}

function withoutContent(message: Record<string, unknown>): Record<string, unknown> {
  return { ...message, content: '', embeds: [], attachments: [], components: [] };
}

/** Routes each dispatch to the sessions that should receive it: by shard, then by intents. */
export class DispatchRouter {
  readonly #sessions: SessionRegistry;
  readonly #botUserId: string;

  constructor(sessions: SessionRegistry, botUserId: string) {
    this.#sessions = sessions;
    this.#botUserId = botUserId;
  }

  /**
   * Sends one event to every session (connected or resumable) whose shard the guild maps to and whose
   * intents cover it; events without a guild go to shard 0. Sessions without MESSAGE_CONTENT get messages
   * with their content removed. `dataJson` is `data` serialised, when the caller has it already. Returns the
   * sessions it was sent to.
   */
  dispatch(
    event: string,
    data: unknown,
    guildId: string | undefined,
    dataJson: string = JSON.stringify(data),
  ): GatewaySession[] {
    const requiredIntent = intentRequiredFor(event, guildId !== undefined);
    const needsGuildMembers = concernsOthersOnly(event, data, this.#botUserId);
    let contentlessJson: string | undefined;
    const delivered: GatewaySession[] = [];
    const routingKey = guildId === undefined ? undefined : routingKeyOf(guildId);
    for (const session of this.#sessions.values()) {
      if (session.state === 'invalidated') continue;
      const [shardId, shardCount] = session.shard;
      const target = routingKey === undefined ? 0 : routingKey % shardCount;
      if (target !== shardId) continue;
      if (requiredIntent !== 0 && (session.intents & requiredIntent) === 0) continue;
      if (needsGuildMembers && (session.intents & guildMembersIntent) === 0) continue;
      let json = dataJson;
      if (
        (session.intents & messageContentIntent) === 0 &&
        needsContentStripped(event, data, this.#botUserId)
      ) {
        contentlessJson ??= JSON.stringify(withoutContent(data as Record<string, unknown>));
        json = contentlessJson;
      }
      session.deliver(event, json);
      delivered.push(session);
    }
    return delivered;
  }
}
