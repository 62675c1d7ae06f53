import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { withoutPassword } from '../services/service-unreachable-error.js';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/**
 * Where the cluster's Redis is and how to reach it. One of three deployments, chosen by which variables
 * are set: a single server (REDIS_URL), a Sentinel-managed primary (REDIS_SENTINELS + REDIS_SENTINEL_NAME)
 * or a Redis Cluster (REDIS_CLUSTER_NODES).
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'sentinel';
      sentinels: readonly RedisNodeAddress[];
      /** The monitored primary's name (`sentinel monitor <name> …`). */
      name: string;
      sentinelPassword?: string;
      password?: string;
    }
  | { kind: 'cluster'; nodes: readonly RedisNodeAddress[]; password?: string };

/** The configuration variables that choose the target (see `redisEnvShape`). */
export interface RedisTargetEnv {
  REDIS_URL: string;
  REDIS_SENTINELS?: readonly RedisNodeAddress[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_CLUSTER_NODES?: readonly RedisNodeAddress[] | undefined;
}

/** A single Redis at `url` (tests, tools, and the default deployment). */
export function singleRedis(url: string): RedisTarget {
  return { kind: 'single', url };
}

/**
 * The target the configuration describes. Throws a `ConfigError` (exit 78 at start) when the variables
 * contradict each other, naming every one involved, instead of silently preferring one of them.
 */
export function redisTargetOf(env: RedisTargetEnv, processName = 'this process'): RedisTarget {
  const issues: ConfigIssue[] = [];
  const sentinels = env.REDIS_SENTINELS ?? [];
  const clusterNodes = env.REDIS_CLUSTER_NODES ?? [];
  if (sentinels.length > 0 && clusterNodes.length > 0) {
    issues.push({
      variable: 'REDIS_CLUSTER_NODES',
      problem: 'cannot be combined with REDIS_SENTINELS (a deployment is either Sentinel or Redis Cluster)',
    });
  }
  if (sentinels.length > 0 && !env.REDIS_SENTINEL_NAME) {
    issues.push({ variable: 'REDIS_SENTINEL_NAME', problem: 'is required when REDIS_SENTINELS is set' });
  }
  if (sentinels.length === 0 && env.REDIS_SENTINEL_NAME) {
    issues.push({ variable: 'REDIS_SENTINELS', problem: 'is required when REDIS_SENTINEL_NAME is set' });
  }
  if (issues.length > 0) throw new ConfigError(processName, issues);
  const password = env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {};
  if (sentinels.length > 0) {
    return {
      kind: 'sentinel',
      sentinels,
      name: env.REDIS_SENTINEL_NAME ?? '',
      ...password,
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
    };
  }
  if (clusterNodes.length > 0) return { kind: 'cluster', nodes: clusterNodes, ...password };
  return singleRedis(env.REDIS_URL);
}

/**
 * Entry-point variant of `redisTargetOf`, like `readConfigOrExit`: the contradicting variables on stderr
 * and exit 78.
 */
export function redisTargetOrExit(processName: string, env: RedisTargetEnv): RedisTarget {
  try {
    return redisTargetOf(env, processName);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG from sysexits.h: configuration error
  }
}

/** For log lines and error messages: where the target is, never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: readonly RedisNodeAddress[]) =>
    nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  switch (target.kind) {
    case 'single':
      return withoutPassword(target.url);
    case 'sentinel':
      return `Sentinel primary "${target.name}" via ${list(target.sentinels)}`;
    case 'cluster':
      return `Redis Cluster via ${list(target.nodes)}`;
  }
}
