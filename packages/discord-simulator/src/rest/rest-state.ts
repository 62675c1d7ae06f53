import type { APIMessage } from 'discord-api-types/v10';
import type { SnowflakeGenerator } from '../model/snowflake.js';
import type { SimulatedGuild, SimulatedThread, SimulatedWorld } from '../model/world.js';
import { OffHeapLog } from '../off-heap-log.js';
import { ApplicationCommands } from './application-commands.js';
import { type BucketPolicyName, defaultBucketPolicies } from './bucket-policies.js';
import { ChannelHistory } from './channel-history.js';
import type { BucketPolicy } from './rate-limits.js';
import { SnowflakePositionIndex } from './snowflake-position-index.js';

export interface PendingInteraction {
  id: string;
  token: string;
  deliveredAt: number;
  acknowledged: boolean;
  channelId: string;
  guildId: string;
  /** Messages sent through the interaction's webhook (original response first). */
  messageIds: string[];
}

/** Where REST changes send the gateway events they cause (MESSAGE_CREATE for a posted message, …). */
export interface EventDispatcher {
  dispatch(event: string, data: unknown, guildId: string | undefined): void;
}

export interface BanRecord {
  userId: string;
  reason: string | null;
}

/** Messages kept for edits and deletes, newest first out last; bounded so generated traffic stays flat. */
const messagesKept = 100_000;
/** Interaction tokens are valid for follow-ups for 15 minutes. */
const interactionTokenLifetimeMs = 15 * 60_000;

/** What REST routes read and change: the world plus messages, bans, DM channels and interactions. */
export class RestState {
  readonly world: SimulatedWorld;
  readonly ids: SnowflakeGenerator;
  /** Interactions by id, oldest first; tokens expire after 15 minutes and are forgotten then. */
  readonly interactions = new Map<string, PendingInteraction>();
  readonly #interactionsByToken = new Map<string, PendingInteraction>();
  readonly bans = new Map<string, Map<string, BanRecord>>();
  readonly dmChannels = new Map<string, string>();
  /** Users who accept no direct message from the bot: sending to their DM channel answers 50007. */
  readonly closedDirectMessages = new Set<string>();
  /**
   * Messages sent with `enforce_nonce`, by `channel:nonce`, for a few minutes: Discord answers a repeat with
   * the message already created instead of creating another.
   */
  readonly enforcedNonces = new Map<string, { message: APIMessage; at: number }>();
  /** Each channel's message ids in order, for history reads. */
  readonly #history = new ChannelHistory();
  /** The application's registered slash commands, global and per guild. */
  readonly commands: ApplicationCommands;
  /** Messages created or edited through REST, by `channel:message` id. */
  readonly #messages = new Map<string, APIMessage>();
  readonly #messageOrder: (string | undefined)[] = [];
  #messageCursor = 0;
  /**
   * Generated messages (traffic), as the JSON they were sent as, outside the heap: at thousands per second,
   * a tree of objects per kept message made the simulator's garbage collection its largest pause.
   */
  readonly #generated = new OffHeapLog(messagesKept);
  /** A generated message's position in `#generated`, by message id. */
  readonly #generatedIndex = new SnowflakePositionIndex(messagesKept);
  readonly #dispatcher: EventDispatcher;
  readonly policies: Record<BucketPolicyName, BucketPolicy>;

  constructor(input: {
    policyOverrides?: Partial<Record<BucketPolicyName, { limit: number; windowMs: number }>>;
    world: SimulatedWorld;
    ids: SnowflakeGenerator;
    dispatcher: EventDispatcher;
  }) {
    this.world = input.world;
    this.ids = input.ids;
    this.#dispatcher = input.dispatcher;
    this.commands = new ApplicationCommands(input.ids, input.world.application.id);
    this.policies = { ...defaultBucketPolicies };
    for (const [name, override] of Object.entries(input.policyOverrides ?? {})) {
      const policy = this.policies[name as BucketPolicyName];
      if (policy && override) this.policies[name as BucketPolicyName] = { ...policy, ...override };
    }
  }

  /** Sends the gateway event a REST change causes, routed and recorded like any other dispatch. */
  dispatch(event: string, data: unknown, guildId: string | undefined): void {
    this.#dispatcher.dispatch(event, data, guildId);
  }

  /** Keeps a message so it can be edited or deleted; only the newest are kept. An ephemeral one is kept out of its channel's history, as on Discord. */
  rememberMessage(message: APIMessage, options: { inHistory?: boolean } = {}): void {
    const key = `${message.channel_id}:${message.id}`;
    if (!this.#messages.has(key)) {
      // A ring of keys evicts the oldest in O(1); Map iteration from the front degrades as deletions pile up.
      const evicted = this.#messageOrder[this.#messageCursor];
      if (evicted !== undefined) this.#messages.delete(evicted);
      this.#messageOrder[this.#messageCursor] = key;
      this.#messageCursor = (this.#messageCursor + 1) % messagesKept;
      if (options.inHistory !== false) this.#history.add(message.channel_id, message.id);
    }
    this.#messages.set(key, message);
  }

  /** Keeps a generated message (`json` is the message serialised) so it can be edited or deleted. */
  rememberGeneratedMessage(messageId: string, json: string, channelId: string): void {
    this.#generated.append(this.#generatedIndex.add(messageId), json);
    this.#history.add(channelId, messageId);
  }

  /**
   * A channel's messages newest first, as `GET /channels/{id}/messages` pages them (`before`, `after`,
   * `around`, `limit`): messages created through REST and injected ones, while they are kept.
   */
  channelMessages(
    channelId: string,
    query: { before?: string; after?: string; around?: string; limit: number },
  ): APIMessage[] {
    const ids = this.#history.page(
      channelId,
      query,
      (messageId) =>
        this.#messages.has(`${channelId}:${messageId}`) ||
        this.#generatedIndex.positionOf(messageId) !== undefined,
    );
    return ids.flatMap((messageId) => this.message(channelId, messageId) ?? []);
  }

  message(channelId: string, messageId: string): APIMessage | undefined {
    return this.#messages.get(`${channelId}:${messageId}`) ?? this.#generatedMessage(channelId, messageId);
  }

  forgetMessage(channelId: string, messageId: string): void {
    this.#history.remove(channelId, messageId);
    this.#messages.delete(`${channelId}:${messageId}`);
    if (this.#generatedMessage(channelId, messageId)) this.#generatedIndex.forget(messageId);
  }

  #generatedMessage(channelId: string, messageId: string): APIMessage | undefined {
    const position = this.#generatedIndex.positionOf(messageId);
    const json = position === undefined ? undefined : this.#generated.at(position);
    const message = json === undefined ? undefined : (JSON.parse(json) as APIMessage);
    return message?.channel_id === channelId ? message : undefined;
  }

  /**
   * A thread by id, with its guild. A walk over every guild's threads: the world keeps no thread index
   * (mutations add and drop threads in several places), and only REST reads of a thread come here.
   */
  thread(threadId: string): { thread: SimulatedThread; guild: SimulatedGuild } | undefined {
    for (const guild of this.world.guilds) {
      const thread = guild.threads.find((candidate) => candidate.id === threadId);
      if (thread) return { thread, guild };
    }
    return undefined;
  }

  guildBans(guildId: string): Map<string, BanRecord> {
    let bans = this.bans.get(guildId);
    if (!bans) {
      bans = new Map();
      this.bans.set(guildId, bans);
    }
    return bans;
  }

  /** Remembers a delivered interaction; expired ones go, so a long run's memory stays flat. */
  registerInteraction(interaction: PendingInteraction): void {
    const expiredBefore = Date.now() - interactionTokenLifetimeMs;
    for (const oldest of this.interactions.values()) {
      if (oldest.deliveredAt >= expiredBefore) break;
      this.interactions.delete(oldest.id);
      this.#interactionsByToken.delete(oldest.token);
    }
    this.interactions.set(interaction.id, interaction);
    this.#interactionsByToken.set(interaction.token, interaction);
  }

  /** The interaction whose webhook token this is, if it was acknowledged and is under 15 minutes old. */
  interactionByToken(applicationId: string, token: string): PendingInteraction | undefined {
    if (applicationId !== this.world.application.id) return undefined;
    const interaction = this.#interactionsByToken.get(token);
    if (!interaction?.acknowledged || Date.now() - interaction.deliveredAt >= interactionTokenLifetimeMs)
      return undefined;
    return interaction;
  }
}
