import { defineCommand } from '@dgc/bot-sdk';

/** `/ping`: how long the interaction took from the gateway to this worker (what `npm start`'s simulator plays). */
export const pingCommand = defineCommand({
  name: 'ping',
  description: 'Shows how long an event takes from the gateway to a worker',
  autoDeferAfterMs: false,
  async execute({ envelope, reply }) {
    const gatewayToWorkerMs = Date.now() - envelope.receivedAt;
    await reply({
      content: `Pong! gateway→worker ${gatewayToWorkerMs} ms (shard ${envelope.shardId}, seq ${envelope.sequence})`,
      ephemeral: true,
    });
  },
});
