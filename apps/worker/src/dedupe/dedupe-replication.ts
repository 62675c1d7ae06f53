import { type Logger, type Redis, redisTargetOf, type TaskMonitor } from '@dgc/shared';
import type { ProcessMetrics } from '@dgc/shared/observability';
import { Counter } from 'prom-client';
import type { WorkerConfig } from '../config.js';
import type { EventDedupeOptions } from './event-dedupe.js';

/** A shortfall is logged at most this often; the counter has every one. */
const logEveryMs = 10_000;
/** How often the primary's connected replicas are read (INFO replication). */
const replicaPollMs = 1_000;

/**
 * The dedupe's replication wait from the configuration (WORKER_DEDUPE_WAIT_REPLICAS). It waits for at
 * most the replicas the primary has connected: right after a failover the promoted primary has none, and
 * waiting out the timeout on every job would slow the lanes to a crawl exactly when they must catch up.
 * Claims not replicated (no replica, or a wait that timed out short) are counted and logged. A Redis
 * Cluster client sends a keyless WAIT to any node, not the one that took the claims, so there it is
 * refused with a warning.
 */
export function dedupeReplication(
  config: WorkerConfig,
  redis: Redis,
  tasks: TaskMonitor,
  metrics: ProcessMetrics,
  logger: Logger,
): Pick<EventDedupeOptions, 'waitReplicas' | 'waitTimeoutMs' | 'onUnreplicated'> {
  const wanted = config.WORKER_DEDUPE_WAIT_REPLICAS;
  if (wanted <= 0) return {};
  if (redisTargetOf(config).kind === 'cluster') {
    logger.warn(
      { WORKER_DEDUPE_WAIT_REPLICAS: wanted },
      'WORKER_DEDUPE_WAIT_REPLICAS is ignored with REDIS_CLUSTER_NODES (WAIT cannot name the node that took the claims)',
    );
    return {};
  }
  const unreplicated = new Counter({
    name: 'dgc_dedupe_unreplicated_total',
    help: 'Jobs whose dedupe claims or done marks fewer replicas than WORKER_DEDUPE_WAIT_REPLICAS acknowledged (none connected, or the wait timed out)',
    registers: [metrics.registry],
  });
  let loggedAt = 0;
  const shortfall = (acknowledged: number, reason: string) => {
    unreplicated.inc();
    if (Date.now() - loggedAt < logEveryMs) return;
    loggedAt = Date.now();
    logger.warn(
      { acknowledged, wanted, timeoutMs: config.WORKER_DEDUPE_WAIT_TIMEOUT_MS },
      `dedupe claims not on enough replicas (${reason}); handlers run anyway, and a failover now could run one twice`,
    );
  };
  let connected = wanted;
  tasks.every('read connected replicas', replicaPollMs, async () => {
    const info = await redis.info('replication');
    connected = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
  });
  return {
    waitReplicas: () => {
      if (connected < wanted) shortfall(connected, `${connected} connected`);
      return Math.min(connected, wanted);
    },
    waitTimeoutMs: config.WORKER_DEDUPE_WAIT_TIMEOUT_MS,
    onUnreplicated: (acknowledged) => shortfall(acknowledged, 'the wait timed out'),
  };
}
