import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import {
  createRedisConnection,
  type Logger,
  ParkedDispatches,
  redisTargetOf,
  type ServiceLifecycle,
} from '@dgc/shared';
import { ClusterOverviewReader } from '@dgc/shared/cluster-view';
import express from 'express';
import type { DashboardConfig } from './config.js';
import { maskedQueueAdapter } from './masked-queue-adapter.js';
import { overviewPage } from './overview-page.js';
import { tokenGuard } from './token-guard.js';

export interface DashboardService extends ServiceLifecycle {
  port: number;
}

/**
 * The operators' dashboard: the cluster overview page, its live stream (`/api/events`, one snapshot per
 * refresh interval shared by every open page), `/api/overview` for tools, `/api/parked` (what gateways parked), and Bull Board under `/queues`
 * for job-level work (retry, remove). With a token configured, every route requires it.
 */
export async function startDashboard(config: DashboardConfig, logger: Logger): Promise<DashboardService> {
  const redis = createRedisConnection({ target: redisTargetOf(config), connectionName: 'dashboard' });
  const overview = new ClusterOverviewReader(redis, config.REDIS_KEY_PREFIX);
  const parked = new ParkedDispatches(redis, config.REDIS_KEY_PREFIX);
  const app = express();
  app.disable('x-powered-by');
  if (config.DASHBOARD_TOKEN) app.use(tokenGuard(config.DASHBOARD_TOKEN));

  const board = new ExpressAdapter();
  board.setBasePath('/queues');
  createBullBoard({
    // Job data holds interaction tokens: the board shows them masked.
    queues: (await overview.lanes()).flatMap(({ queues }) => queues.map(maskedQueueAdapter)),
    serverAdapter: board,
  });
  app.use('/queues', board.getRouter());

  // One reader for every open page: Redis sees one snapshot per interval however many people watch.
  let latest = await overview.read();
  const streams = new Set<express.Response>();
  const refresh = setInterval(() => {
    overview.read().then(
      (snapshot) => {
        latest = snapshot;
        const frame = `event: overview\ndata: ${JSON.stringify(snapshot)}\n\n`;
        for (const stream of streams) stream.write(frame);
      },
      (error: unknown) => logger.warn({ err: error }, 'reading the cluster overview failed'),
    );
  }, config.DASHBOARD_REFRESH_MS);

  app.get('/', (_request, response) => {
    response.type('html').set('cache-control', 'no-store').send(overviewPage);
  });
  app.get('/api/overview', (_request, response) => {
    response.json(latest);
  });
  // What gateways parked instead of queueing (malformed frames and dispatches), newest first.
  app.get('/api/parked', (_request, response, next) => {
    Promise.all([parked.count(), parked.recent(100)]).then(
      ([total, records]) => response.json({ total, records }),
      next,
    );
  });
  app.get('/api/events', (request, response) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(`retry: 2000\nevent: overview\ndata: ${JSON.stringify(latest)}\n\n`);
    streams.add(response);
    request.on('close', () => streams.delete(response));
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.DASHBOARD_PORT, config.DASHBOARD_HOST, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const { port } = server.address() as AddressInfo;
  logger.info(
    { url: `http://${config.DASHBOARD_HOST}:${port}/`, tokenRequired: config.DASHBOARD_TOKEN !== undefined },
    'dashboard serving',
  );

  return {
    port,
    async stopIntake() {
      clearInterval(refresh);
      server.close();
      for (const stream of streams) stream.end();
    },
    async drain() {},
    async close() {
      server.closeAllConnections();
      await overview.close();
      await redis.quit().catch(() => {});
    },
  };
}
