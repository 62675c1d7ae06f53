/**
 * A separate process holding N raw gateway connections (so their CPU is not the simulator's): identifies
 * every shard, heartbeats, counts dispatches, and prints one JSON line per second: {"received": n}.
 * Usage: shard-clients.ts <gateway url> <token> <shard count>
 */
import WebSocket from 'ws';

const [url, token, shardCountArg] = process.argv.slice(2);
const shardCount = Number(shardCountArg);
if (!url || !token || !Number.isInteger(shardCount) || shardCount < 1) {
  process.stderr.write('usage: shard-clients.ts <gateway url> <token> <shard count>\n');
  process.exit(2);
}
let received = 0;
let ready = 0;
// GUILDS | GUILD_MEMBERS | GUILD_MESSAGES | GUILD_MESSAGE_TYPING | MESSAGE_CONTENT
const intents = 1 | 2 | 512 | 2048 | 32768;

for (let shardId = 0; shardId < shardCount; shardId += 1) {
  const socket = new WebSocket(`${url}?v=10&encoding=json`);
  let sequence: number | null = null;
  socket.on('message', (data: Buffer) => {
    // Only the envelope's start is parsed: counting must not cost more than a real client's decode.
    const text = data.toString('utf8');
    if (text.startsWith('{"op":0')) {
      received += 1;
      const match = /"s":(\d+)/.exec(text.slice(0, 40));
      if (match) sequence = Number(match[1]);
      if (text.includes('"t":"READY"')) {
        ready += 1;
        if (ready === shardCount) process.stdout.write(`${JSON.stringify({ ready })}\n`);
      }
      return;
    }
    const payload = JSON.parse(text) as { op: number; d?: { heartbeat_interval?: number } };
    if (payload.op === 10) {
      const interval = payload.d?.heartbeat_interval ?? 41_250;
      setInterval(() => socket.send(JSON.stringify({ op: 1, d: sequence })), interval).unref();
      socket.send(
        JSON.stringify({
          op: 2,
          d: {
            token,
            intents,
            shard: [shardId, shardCount],
            properties: { os: 'linux', browser: 'bench', device: 'bench' },
          },
        }),
      );
    }
  });
}

setInterval(() => process.stdout.write(`${JSON.stringify({ received })}\n`), 1_000);
