import { runProcess } from '@dgc/shared';
import { gatewayEnvSchema } from './config.js';
import { startGateway } from './gateway-app.js';

await runProcess({
  name: 'gateway',
  schema: gatewayEnvSchema,
  secrets: (config) => [config.DISCORD_TOKEN],
  drainDeadlineMs: (config) => config.GATEWAY_DRAIN_DEADLINE_MS,
  start: startGateway,
});
