import type { SimulatedWorld } from '../model/world.js';
import { GatewayCloseCode, guildMembersIntent, guildPresencesIntent } from './close-codes.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { GatewaySession } from './gateway-session.js';
import { isRecord } from './json-record.js';
import { guildsForShard } from './shard-guilds.js';

const allMembersRequestWindowMs = 30_000;
const membersPerChunk = 1_000;

/**
 * Op 8: answers with GUILD_MEMBERS_CHUNK dispatches (by user ids, by name prefix, or all members), and with
 * a RATE_LIMITED dispatch for an all-members request repeated within 30 s.
 */
export class GuildMemberRequests {
  readonly #world: SimulatedWorld;
  /** When each session last asked for all members of a guild, by `session:guild`. */
  readonly #allMembersRequests = new Map<string, number>();

  constructor(world: SimulatedWorld) {
    this.#world = world;
  }

  request(connection: GatewayConnection, data: unknown): void {
    const session = connection.session;
    if (!session) return;
    if (!isRecord(data) || typeof data.guild_id !== 'string') {
      connection.close(GatewayCloseCode.DecodeError, 'invalid request guild members payload');
      return;
    }
    const guild = guildsForShard(this.#world.guilds, session.shard[0], session.shard[1]).find(
      (candidate) => candidate.id === data.guild_id,
    );
    if (!guild) return;
    const nonce =
      typeof data.nonce === 'string' && Buffer.byteLength(data.nonce) <= 32 ? data.nonce : undefined;
    const query = typeof data.query === 'string' ? data.query : undefined;
    const limit = typeof data.limit === 'number' ? data.limit : 0;
    const userIds =
      typeof data.user_ids === 'string'
        ? [data.user_ids]
        : Array.isArray(data.user_ids)
          ? data.user_ids
          : undefined;
    let members = guild.members;
    const notFound: string[] = [];
    if (userIds) {
      const wanted = userIds.slice(0, 100).map(String);
      members = guild.members.filter((member) => wanted.includes(member.user.id));
      for (const id of wanted) if (!members.some((member) => member.user.id === id)) notFound.push(id);
    } else if (query !== undefined) {
      const isAllMembers = query === '' && limit === 0;
      if (isAllMembers) {
        if ((session.intents & guildMembersIntent) === 0) {
          connection.close(GatewayCloseCode.DisallowedIntents, 'GUILD_MEMBERS intent required');
          return;
        }
        if (this.#rateLimitedAllMembers(session, guild.id, nonce)) return;
      } else {
        const prefix = query.toLowerCase();
        members = guild.members
          .filter((member) => member.user.username.toLowerCase().startsWith(prefix))
          .slice(0, Math.min(limit || 100, 100));
      }
    } else {
      connection.close(GatewayCloseCode.DecodeError, 'query or user_ids is required');
      return;
    }
    const presences = data.presences === true && (session.intents & guildPresencesIntent) !== 0;
    const chunkCount = Math.max(1, Math.ceil(members.length / membersPerChunk));
    for (let index = 0; index < chunkCount; index += 1) {
      const chunk = {
        guild_id: guild.id,
        members: members.slice(index * membersPerChunk, (index + 1) * membersPerChunk),
        chunk_index: index,
        chunk_count: chunkCount,
        ...(index === 0 && notFound.length > 0 ? { not_found: notFound } : {}),
        ...(presences ? { presences: [] } : {}),
        ...(nonce ? { nonce } : {}),
      };
      session.deliver('GUILD_MEMBERS_CHUNK', JSON.stringify(chunk));
    }
  }

  /** An all-members request within 30 s of the last one gets RATE_LIMITED instead (returns true). */
  #rateLimitedAllMembers(session: GatewaySession, guildId: string, nonce: string | undefined): boolean {
    const key = `${session.sessionId}:${guildId}`;
    const last = this.#allMembersRequests.get(key);
    const now = Date.now();
    if (last !== undefined && now - last < allMembersRequestWindowMs) {
      const retryAfter = (allMembersRequestWindowMs - (now - last)) / 1_000;
      session.deliver(
        'RATE_LIMITED',
        JSON.stringify({
          opcode: 8,
          retry_after: retryAfter,
          meta: { guild_id: guildId, ...(nonce ? { nonce } : {}) },
        }),
      );
      return true;
    }
    this.#allMembersRequests.set(key, now);
    return false;
  }
}
