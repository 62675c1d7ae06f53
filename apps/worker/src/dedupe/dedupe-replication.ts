import {
  createRedisConnection,
  type Logger,
  type Redis,
  RedisKeys,
  redisTargetOf,
  type TaskMonitor,
} from '@dgc/shared';
import type { ProcessMetrics } from '@dgc/shared/observability';
import { Counter } from 'prom-client';
import type { WorkerConfig } from '../config.js';
import type { ClaimReplication } from './claim-replication.js';
import { type DedupeWaitPlan, dedupeWaitPlan } from './dedupe-wait-policy.js';
import type { DedupeReplicationObserver } from './event-dedupe.js';
import { RedisClaimReplication } from './redis-claim-replication.js';

/** A shortfall is logged at most this often; the counter has every one. */
const logEveryMs = 10_000;
/** How often the dedupe node's connected replicas are read (INFO replication); also at every reconnect. */
const replicaPollMs = 1_000;
/** Connections for the checks: enough that a check starts while another's WAIT is out (see RedisClaimReplication). */
const checkConnections = 4;

export interface DedupeReplication {
  /** Unset when WORKER_DEDUPE_WAIT_REPLICAS=0: claims are trusted as written. */
  replication?: ClaimReplication;
  observer?: DedupeReplicationObserver;
  close(): Promise<void>;
}

/**
 * The dedupe's replication checks from the configuration (WORKER_DEDUPE_WAIT_REPLICAS, see
 * `dedupeWaitPlan` for the default), on connections of their own. The replicas of the server holding the
 * dedupe keys are read at start, every second and after every reconnect (a failover, a replica attached
 * or lost); the plan follows them. Shortfalls (fewer replicas acknowledged than wanted) and claims found
 * lost are counted and logged.
 */
export async function dedupeReplication(
  config: WorkerConfig,
  tasks: TaskMonitor,
  metrics: ProcessMetrics,
  logger: Logger,
): Promise<DedupeReplication> {
  const setting = config.WORKER_DEDUPE_WAIT_REPLICAS;
  if (setting === 0) return { close: async () => undefined };
  const target = redisTargetOf(config);
  // One connection reads the replicas; the checks open theirs when they first run, so a worker whose
  // Redis has no replica (nothing to wait for) keeps a single extra connection.
  const connections: Redis[] = [];
  const open = (connectionName: string) => {
    const opened = createRedisConnection({ target, connectionName });
    opened.on('error', (error: Error) =>
      logger.debug({ err: error }, 'dedupe replication connection error (it reconnects)'),
    );
    connections.push(opened);
    return opened;
  };
  const connection = open('worker:dedupe-replicas');
  const markKey = new RedisKeys(config.REDIS_KEY_PREFIX).dedupeReplicationMark();

  let connectedReplicas = 0;
  let plan: DedupeWaitPlan = dedupeWaitPlan({
    setting,
    sentinel: target.kind === 'sentinel',
    connectedReplicas,
  });
  let described = '';
  const readReplicas = async () => {
    // A keyed command first: on a Redis Cluster the pipeline, INFO included, goes to the node holding the
    // dedupe keys, whose replicas are the ones that matter.
    const replies = await connection.pipeline().pttl(markKey).info('replication').exec();
    const info = replies?.[1]?.[1];
    if (typeof info !== 'string') return;
    connectedReplicas = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
    plan = dedupeWaitPlan({ setting, sentinel: target.kind === 'sentinel', connectedReplicas });
    const description = !plan.check
      ? 'off (no replica that could be promoted)'
      : `on, waiting for ${plan.waitFor} of ${plan.wanted} replica(s) (${connectedReplicas} connected)`;
    if (description !== described) {
      described = description;
      logger.info(
        { WORKER_DEDUPE_WAIT_REPLICAS: setting ?? 'unset', connectedReplicas },
        `dedupe replication checks ${description}`,
      );
    }
  };
  await readReplicas();
  connection.on('ready', () => {
    readReplicas().catch(() => {});
  });
  tasks.every('read the dedupe node replicas', replicaPollMs, readReplicas);

  const unreplicated = new Counter({
    name: 'dgc_dedupe_unreplicated_total',
    help: 'Dedupe claims or done marks fewer replicas acknowledged than wanted (none connected, or WAIT timed out); the job went on',
    registers: [metrics.registry],
  });
  const rewritten = new Counter({
    name: 'dgc_dedupe_rewritten_total',
    help: 'Dedupe claims (status running) or done marks (status done) the server had lost (a failover or restart) and that were written again',
    labelNames: ['status'],
    registers: [metrics.registry],
  });
  const takenElsewhere = new Counter({
    name: 'dgc_dedupe_taken_elsewhere_total',
    help: 'Handled events whose lost claim another attempt had taken meanwhile: their handlers may have run twice',
    registers: [metrics.registry],
  });
  let loggedAt = 0;
  const throttled = (message: string, fields: Record<string, unknown>) => {
    if (Date.now() - loggedAt < logEveryMs) return;
    loggedAt = Date.now();
    logger.warn(fields, message);
  };

  const checks = new RedisClaimReplication({
    connections: { open: () => open('worker:dedupe-wait'), max: checkConnections },
    keyPrefix: config.REDIS_KEY_PREFIX,
    timeoutMs: config.WORKER_DEDUPE_WAIT_TIMEOUT_MS,
    plan: () => plan,
  });
  return {
    replication: {
      async confirm(attemptKey, status) {
        const verdict = await checks.confirm(attemptKey, status);
        if (verdict.kind === 'short') {
          unreplicated.inc();
          throttled(
            'dedupe claims not on enough replicas (none connected, or the wait timed out); handlers run anyway, and a failover now could run one twice',
            { ...verdict, timeoutMs: config.WORKER_DEDUPE_WAIT_TIMEOUT_MS },
          );
        }
        return verdict;
      },
    },
    observer: {
      rewritten(status) {
        rewritten.inc({ status });
        throttled('Redis lost dedupe writes (a failover or restart); written again', { status });
      },
      takenElsewhere(events) {
        takenElsewhere.inc(events);
        logger.warn(
          { events },
          'events handled here were claimed by another attempt after Redis lost their claims',
        );
      },
    },
    close: async () => {
      await Promise.all(connections.map((each) => each.quit().catch(() => each.disconnect())));
    },
  };
}
