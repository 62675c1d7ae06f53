import { DiscordSimulator, type SimulatorOptions } from '@dgc/discord-simulator';
import { afterEach } from 'vitest';
import { type GatewayFrame, RawGatewayClient } from './raw-gateway-client.js';

export const conformanceToken = 'c2ltdWxhdG9yLXRlc3Q.conformance.test-token-for-the-simulator';

export const isReady = (frame: GatewayFrame) => frame.t === 'READY';

/**
 * A simulator per test and raw gateway clients on it, all stopped after each test. Call once at the top of a
 * test file: it registers the `afterEach` that tears them down.
 */
export function gatewayTestHarness() {
  let simulator: DiscordSimulator | undefined;
  const clients: RawGatewayClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await simulator?.stop();
    simulator = undefined;
  });
  const current = (): DiscordSimulator => {
    if (!simulator) throw new Error('start() the simulator first');
    return simulator;
  };
  return {
    async start(options: Partial<SimulatorOptions> = {}): Promise<DiscordSimulator> {
      simulator = await DiscordSimulator.start({
        token: conformanceToken,
        guildCount: 12,
        seed: 3,
        ...options,
      });
      return simulator;
    },
    get simulator(): DiscordSimulator {
      return current();
    },
    async connect(query = '?v=10&encoding=json', url = current().gatewayUrl): Promise<RawGatewayClient> {
      const client = await RawGatewayClient.connect(`${url}${query}`);
      clients.push(client);
      return client;
    },
  };
}
