import { type Logger, redisTargetOf } from '@dgc/shared';
import type { ProcessMetrics } from '@dgc/shared/observability';
import { Counter } from 'prom-client';
import type { WorkerConfig } from '../config.js';
import type { EventDedupeOptions } from './event-dedupe.js';

/** A short-of-replicas wait is logged at most this often; the counter has every one. */
const logEveryMs = 10_000;

/**
 * The dedupe's replication wait from the configuration (WORKER_DEDUPE_WAIT_REPLICAS), with the counter
 * and the throttled log line for a wait that timed out short of its replicas. A Redis Cluster client
 * sends a keyless WAIT to any node, not the one that took the claims, so there it is refused with a warning.
 */
export function dedupeReplication(
  config: WorkerConfig,
  metrics: ProcessMetrics,
  logger: Logger,
): Pick<EventDedupeOptions, 'waitReplicas' | 'waitTimeoutMs' | 'onUnreplicated'> {
  const replicas = config.WORKER_DEDUPE_WAIT_REPLICAS;
  if (replicas <= 0) return {};
  if (redisTargetOf(config).kind === 'cluster') {
    logger.warn(
      { WORKER_DEDUPE_WAIT_REPLICAS: replicas },
      'WORKER_DEDUPE_WAIT_REPLICAS is ignored with REDIS_CLUSTER_NODES (WAIT cannot name the node that took the claims)',
    );
    return {};
  }
  const unreplicated = new Counter({
    name: 'dgc_dedupe_unreplicated_total',
    help: 'Dedupe claims or done marks that fewer replicas than WORKER_DEDUPE_WAIT_REPLICAS acknowledged in time',
    registers: [metrics.registry],
  });
  let loggedAt = 0;
  return {
    waitReplicas: replicas,
    waitTimeoutMs: config.WORKER_DEDUPE_WAIT_TIMEOUT_MS,
    onUnreplicated: (acknowledged) => {
      unreplicated.inc();
      if (Date.now() - loggedAt < logEveryMs) return;
      loggedAt = Date.now();
      logger.warn(
        { acknowledged, wanted: replicas, timeoutMs: config.WORKER_DEDUPE_WAIT_TIMEOUT_MS },
        'dedupe claims not acknowledged by enough replicas in time; handlers run anyway (a failover now could run one twice)',
      );
    },
  };
}
