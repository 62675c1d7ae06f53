import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import type { ProcessMetrics } from './process-metrics.js';

export interface MetricsServer {
  /** The bound port (useful with port 0 in tests). */
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` (Prometheus text format), `/healthz` (the process is alive and serving) and `/readyz` (every
 * readiness check passes: 200, else 503 with the failing ones), for Prometheus and Kubernetes probes.
 * Bound to loopback unless configured otherwise: metrics reveal the cluster's shape.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  metrics: ProcessMetrics;
  logger: Logger;
}): Promise<MetricsServer> {
  const { metrics, logger } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      metrics.unready().then((failing) => {
        const body = JSON.stringify({ ready: failing.length === 0, failing });
        response
          .writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'application/json' })
          .end(body);
      });
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => {
          logger.warn({ err: error }, 'collecting metrics failed');
          response.writeHead(500).end();
        },
      );
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ host: options.host, port }, 'serving /metrics, /healthz and /readyz');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
