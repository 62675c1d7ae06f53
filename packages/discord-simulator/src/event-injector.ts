import { randomBytes } from 'node:crypto';
import type {
  APIChatInputApplicationCommandInteraction,
  GatewayMessageCreateDispatchData,
} from 'discord-api-types/v10';
import type { CdnFiles } from './cdn/cdn-files.js';
import type { Dispatcher } from './dispatcher.js';
import {
  type TrafficEventType,
  TrafficGenerator,
  type TrafficOptions,
  type TrafficSink,
} from './load/traffic-generator.js';
import {
  guildMemberAddPayload,
  guildMemberRemovePayload,
  typingStartPayload,
} from './model/payloads/guild-event-payloads.js';
import {
  type ComponentInteractionInput,
  chatInputInteractionPayload,
  componentInteractionPayload,
  type InteractionInput,
} from './model/payloads/interaction-payloads.js';
import { type MessageInput, messageCreatePayload } from './model/payloads/message-payloads.js';
import type { SeededRandom } from './model/seeded-random.js';
import { SnowflakeGenerator } from './model/snowflake.js';
import { userObject } from './model/users.js';
import type { SimulatedGuild, SimulatedWorld } from './model/world.js';
import type { RestState } from './rest/rest-state.js';

/**
 * What users do in the simulated world: messages, slash commands, members joining and leaving, typing.
 * Each event changes the world where Discord would (a new member joins the guild, a message can later be
 * edited over REST) and is dispatched to the sessions that should receive it.
 */
export class EventInjector implements TrafficSink {
  readonly #world: SimulatedWorld;
  readonly #ids: SnowflakeGenerator;
  /**
   * Ids of back-dated messages (`sentAt`): a generator never goes back in time, so these come from one of
   * their own, with a worker id of its own so they never equal the main generator's.
   */
  readonly #backdatedIds = new SnowflakeGenerator(30);
  readonly #random: SeededRandom;
  readonly #restState: RestState;
  readonly #dispatcher: Dispatcher;
  readonly #cdn: CdnFiles;

  constructor(input: {
    world: SimulatedWorld;
    ids: SnowflakeGenerator;
    random: SeededRandom;
    restState: RestState;
    dispatcher: Dispatcher;
    cdn: CdnFiles;
  }) {
    this.#world = input.world;
    this.#ids = input.ids;
    this.#random = input.random;
    this.#restState = input.restState;
    this.#dispatcher = input.dispatcher;
    this.#cdn = input.cdn;
  }

  messageCreate(input: MessageInput = {}): GatewayMessageCreateDispatchData {
    const [message] = this.messageCreates(1, input);
    if (!message) throw new Error('no message created');
    return message;
  }

  /** `count` MESSAGE_CREATE events (random guilds and authors unless given). */
  messageCreates(count: number, input: MessageInput = {}): GatewayMessageCreateDispatchData[] {
    const messages: GatewayMessageCreateDispatchData[] = [];
    for (let index = 0; index < count; index += 1) {
      const message = messageCreatePayload({
        world: this.#world,
        ids: input.sentAt === undefined ? this.#ids : this.#backdatedIds,
        random: this.#random,
        message: input,
      });
      // Serialised once: the REST side keeps this JSON (off the heap) and the gateway sends it as is.
      const json = JSON.stringify(message);
      this.#restState.rememberGeneratedMessage(message.id, json, message.channel_id);
      this.#dispatcher.dispatch('MESSAGE_CREATE', message, message.guild_id, json);
      messages.push(message);
    }
    return messages;
  }

  /** An INTERACTION_CREATE for a slash command; its token accepts one callback within the window. */
  interaction(input: InteractionInput): APIChatInputApplicationCommandInteraction {
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    const registered = this.#restState.commands.find(input.commandName, input.guildId);
    const interaction = chatInputInteractionPayload({
      world: this.#world,
      ids: this.#ids,
      random: this.#random,
      interaction:
        registered && input.commandId === undefined ? { ...input, commandId: registered.id } : input,
      token,
      attachments: (id) => this.#cdn.attachment(id),
    });
    this.#restState.registerInteraction({
      id: interaction.id,
      token,
      deliveredAt: Date.now(),
      acknowledged: false,
      channelId: interaction.channel.id,
      guildId: interaction.guild_id ?? '',
      messageIds: [],
    });
    this.#dispatcher.dispatch('INTERACTION_CREATE', interaction, interaction.guild_id);
    return interaction;
  }

  /** An INTERACTION_CREATE for a click on one of the bot's buttons; its token accepts one callback. */
  componentInteraction(input: ComponentInteractionInput) {
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    const interaction = componentInteractionPayload({
      world: this.#world,
      ids: this.#ids,
      random: this.#random,
      interaction: input,
      token,
    });
    this.#restState.registerInteraction({
      id: interaction.id,
      token,
      deliveredAt: Date.now(),
      acknowledged: false,
      channelId: interaction.channel.id,
      guildId: interaction.guild_id ?? '',
      messageIds: [],
    });
    this.#dispatcher.dispatch('INTERACTION_CREATE', interaction, interaction.guild_id);
    return interaction;
  }

  /** Any dispatch as-is, routed by its `guild_id` (none → shard 0 only) and gated by intents. */
  dispatch(event: string, data: Record<string, unknown>): void {
    this.#dispatcher.dispatch(event, data, typeof data.guild_id === 'string' ? data.guild_id : undefined);
  }

  /** GUILD_MEMBER_ADD for a new user joining (a random guild unless given). */
  guildMemberAdd(guildId?: string) {
    const guild = this.#guildOrRandom(guildId);
    const user = userObject({ id: this.#ids.next(), username: `newcomer${this.#world.users.size}` });
    this.#world.users.set(user.id, user);
    const payload = guildMemberAddPayload(guild, user);
    const { guild_id: _guildId, ...member } = payload;
    guild.members.push(member as (typeof guild.members)[number]);
    guild.memberCount += 1;
    this.#dispatcher.dispatch('GUILD_MEMBER_ADD', payload, guild.id);
    return payload;
  }

  /** GUILD_MEMBER_REMOVE for a random non-bot member leaving; undefined if none is left. */
  guildMemberRemove(guildId?: string) {
    const guild = this.#guildOrRandom(guildId);
    const candidates = guild.members.filter((member) => !member.user.bot);
    if (candidates.length === 0) return undefined;
    const leaving = this.#random.pick(candidates);
    guild.members.splice(guild.members.indexOf(leaving), 1);
    guild.memberCount -= 1;
    const payload = guildMemberRemovePayload(guild, leaving.user);
    this.#dispatcher.dispatch('GUILD_MEMBER_REMOVE', payload, guild.id);
    return payload;
  }

  typingStart(guildId?: string) {
    const guild = this.#guildOrRandom(guildId);
    const channel = guild.channels.find((candidate) => candidate.type === 0);
    const member = this.#random.pick(guild.members);
    const payload = typingStartPayload(guild, channel?.id ?? '', member);
    this.#dispatcher.dispatch('TYPING_START', payload, guild.id);
    return payload;
  }

  /** Starts steady generated traffic, sent through `sendTrafficEvent`. */
  startTraffic(options: TrafficOptions): TrafficGenerator {
    return new TrafficGenerator(this.#world.guilds, this.#random, options, this).start();
  }

  sendTrafficEvent(event: TrafficEventType, guild: SimulatedGuild): void {
    switch (event) {
      case 'MESSAGE_CREATE':
        this.messageCreate({ guildId: guild.id });
        break;
      case 'TYPING_START':
        this.typingStart(guild.id);
        break;
      case 'GUILD_MEMBER_ADD':
        this.guildMemberAdd(guild.id);
        break;
      case 'GUILD_MEMBER_REMOVE':
        this.guildMemberRemove(guild.id);
        break;
      case 'INTERACTION_CREATE': {
        // Users run what the bot registered (commands without required options); `/ping` before any is.
        const runnable = this.#restState.commands.runnableNamesIn(guild.id);
        const commandName = runnable.length > 0 ? this.#random.pick(runnable) : 'ping';
        this.interaction({ commandName, guildId: guild.id });
        break;
      }
    }
  }

  #guildOrRandom(guildId: string | undefined): SimulatedGuild {
    const guild = guildId ? this.#world.guildsById.get(guildId) : this.#random.pick(this.#world.guilds);
    if (!guild) throw new RangeError(`unknown guild ${guildId}`);
    return guild;
  }
}
