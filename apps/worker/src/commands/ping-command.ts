import { InteractionResponseType, MessageFlags, Routes } from 'discord-api-types/v10';
import type { SlashCommand } from '../handlers/handler-registry.js';

/** `/ping`: answers with how long the interaction took from the gateway to this worker. */
export const pingCommand: SlashCommand = {
  name: 'ping',
  description: 'Shows how long an event takes from the gateway to a worker',
  async execute(interaction, { rest, envelope, signal }) {
    const gatewayToWorkerMs = Date.now() - envelope.receivedAt;
    await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
      auth: false,
      signal,
      body: {
        type: InteractionResponseType.ChannelMessageWithSource,
        data: {
          content: `Pong! gateway→worker ${gatewayToWorkerMs} ms (shard ${envelope.shardId}, seq ${envelope.sequence})`,
          flags: MessageFlags.Ephemeral,
        },
      },
    });
  },
};
