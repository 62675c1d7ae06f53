import { describe, expect, it } from 'vitest';
import { commonEnvSchema } from '../config/common-env.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { describeRedisTarget, redisTargetOf } from './redis-target.js';

const configOf = (env: Record<string, string>) => loadConfig('test', commonEnvSchema, env);

describe('Redis target from the configuration', () => {
  it('is the single server of REDIS_URL when neither Sentinel nor Cluster is configured', () => {
    expect(redisTargetOf(configOf({ REDIS_URL: 'redis://:pw@10.0.0.1:6380' }))).toEqual({
      kind: 'single',
      url: 'redis://:pw@10.0.0.1:6380',
    });
  });

  it('selects Sentinel with REDIS_SENTINELS and REDIS_SENTINEL_NAME, with both passwords', () => {
    const target = redisTargetOf(
      configOf({
        REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'dgc-primary',
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        REDIS_PASSWORD: 'redis-secret',
      }),
    );
    expect(target).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'dgc-primary',
      sentinelPassword: 'sentinel-secret',
      password: 'redis-secret',
    });
    expect(describeRedisTarget(target)).not.toContain('secret');
  });

  it('selects Redis Cluster with REDIS_CLUSTER_NODES', () => {
    expect(redisTargetOf(configOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' }))).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
    });
  });

  it('names a node list entry that is not host:port', () => {
    expect(() => configOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES: "127.0.0.1" is not host:port/,
    );
    expect(() => configOf({ REDIS_SENTINELS: 'a:99999' })).toThrow(
      /REDIS_SENTINELS: "a:99999" is not host:port/,
    );
  });

  it('refuses contradicting variables, naming each, instead of preferring one', () => {
    const error = (() => {
      try {
        redisTargetOf(configOf({ REDIS_SENTINELS: 'a:26379', REDIS_CLUSTER_NODES: 'b:7000' }), 'worker');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.variable).sort()).toEqual([
      'REDIS_CLUSTER_NODES',
      'REDIS_SENTINEL_NAME',
    ]);
    expect(() => redisTargetOf(configOf({ REDIS_SENTINEL_NAME: 'primary' }))).toThrow(
      /REDIS_SENTINELS: is required when REDIS_SENTINEL_NAME is set/,
    );
  });
});
