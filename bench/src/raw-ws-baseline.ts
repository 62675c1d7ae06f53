/**
 * Baseline for the simulator's generator: a bare `ws` server that fans out one pre-serialised 1 KB
 * MESSAGE_CREATE frame at the requested rate, with none of the simulator's work (payload building,
 * sharding, sequencing, replay buffers). What the simulator reaches relative to this is its overhead.
 * Usage: raw-ws-baseline.ts <port>; POST /rate?eventsPerSecond=N sets the rate.
 */
import { createServer } from 'node:http';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const sockets: WebSocket[] = [];
let sequence = 0;
const body = JSON.stringify({
  id: '1300000000000000000',
  channel_id: '1300000000000000001',
  guild_id: '1300000000000000002',
  author: {
    id: '1300000000000000003',
    username: 'user',
    discriminator: '0',
    global_name: 'User',
    avatar: null,
  },
  member: { roles: [], joined_at: '2026-01-01T00:00:00.000000+00:00', deaf: false, mute: false, flags: 0 },
  content: 'x'.repeat(600),
  timestamp: '2026-01-01T00:00:00.000000+00:00',
  edited_timestamp: null,
  tts: false,
  mention_everyone: false,
  mentions: [],
  mention_roles: [],
  attachments: [],
  embeds: [],
  pinned: false,
  type: 0,
});
let eventsPerSecond = 0;
let startedAt = 0;
let sent = 0;

setInterval(() => {
  if (eventsPerSecond === 0 || sockets.length === 0) return;
  const owed = Math.floor((eventsPerSecond * (performance.now() - startedAt)) / 1_000) - sent;
  const batch = Math.min(owed, Math.ceil(eventsPerSecond / 10));
  for (let index = 0; index < batch; index += 1) {
    sequence += 1;
    sockets[sequence % sockets.length]?.send(`{"op":0,"s":${sequence},"t":"MESSAGE_CREATE","d":${body}}`);
    sent += 1;
  }
}, 5);

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://baseline');
  eventsPerSecond = Number(url.searchParams.get('eventsPerSecond') ?? 0);
  startedAt = performance.now();
  sent = 0;
  response.end('{}');
});
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
  socket.on('message', (data: Buffer) => {
    const payload = JSON.parse(data.toString('utf8')) as { op: number };
    if (payload.op === 2) {
      sockets.push(socket);
      socket.send(`{"op":0,"s":1,"t":"READY","d":{}}`);
    }
    if (payload.op === 1) socket.send('{"op":11}');
  });
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});
