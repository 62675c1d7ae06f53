import { assertRedisReachable, createLogger, loadConfigOrExit, runService } from '@dgc/shared';
import { gatewayEnvSchema } from './config.js';
import { startGateway } from './gateway-app.js';

const config = loadConfigOrExit('gateway', gatewayEnvSchema);
const logger = createLogger({
  name: 'gateway',
  level: config.LOG_LEVEL,
  format: config.LOG_FORMAT,
  secrets: [config.DISCORD_TOKEN],
});

await runService({
  logger,
  drainDeadlineMs: config.GATEWAY_DRAIN_DEADLINE_MS,
  preflight: [() => assertRedisReachable(config.REDIS_URL)],
  start: () => startGateway(config, logger),
});
