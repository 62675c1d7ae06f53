import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GatewayCounters, registerGatewayMetrics } from '@dgc/gateway';
import { createLogger, TaskMonitor } from '@dgc/shared';
import { ProcessMetrics } from '@dgc/shared/observability';
import { registerRestClusterMetrics, registerWorkerMetrics } from '@dgc/worker';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './support/services.js';

const alertsFile = resolve(repositoryRoot, 'infra/prometheus/alerts.yml');
const dashboardFile = resolve(repositoryRoot, 'infra/grafana/dgc-overview.json');

/** Every series name the processes export (histograms also as _bucket, _sum and _count). */
async function exportedNames(): Promise<Set<string>> {
  const tasks = new TaskMonitor({ logger: createLogger({ name: 'test', level: 'silent', format: 'json' }) });
  const gateway = new ProcessMetrics('gateway', tasks);
  new GatewayCounters(gateway);
  registerGatewayMetrics(gateway, {
    shards: { snapshot: () => [] },
    lanes: { publishedCount: () => 0, pendingCount: () => 0 },
    backpressure: { depthOf: () => 0, shedCounts: () => ({}) },
    cache: {
      writes: { guilds: 0, channels: 0, roles: 0, members: 0, threads: 0, threadMembers: 0, emojis: 0 },
      dropped: 0,
      pendingCount: 0,
      pendingEntries: 0,
      intakePauses: { pauses: 0, pausedMs: 0 },
    },
    cacheSize: {
      sizes: async () => ({
        guilds: 0,
        channels: 0,
        roles: 0,
        members: 0,
        threads: 0,
        threadMembers: 0,
        emojis: 0,
      }),
    },
  });
  const worker = new ProcessMetrics('worker');
  registerWorkerMetrics(worker, () => []);
  registerRestClusterMetrics(worker, async () => ({}));
  const names = new Set<string>();
  for (const metrics of [gateway, worker]) {
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    }
  }
  return names;
}

/** Series names an expression reads (functions, labels and keywords are not metric-like names). */
function seriesIn(expression: string): string[] {
  return [...expression.matchAll(/\b((?:dgc|nodejs|process)_[a-z0-9_]+)\b/g)].map((match) => match[1] ?? '');
}

/** Whether `path` is a program this process may run (absent on a machine with only Node, Redis, PostgreSQL). */
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

describe('infra: alert rules and dashboard', () => {
  it('alert rules pass promtool when it is installed (CI installs it from Debian)', () => {
    if (!isExecutable('/usr/bin/promtool')) return;
    const output = execFileSync('/usr/bin/promtool', ['check', 'rules', alertsFile], { encoding: 'utf8' });
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('every alert expression and dashboard query reads series the processes export', async () => {
    const exported = await exportedNames();
    const alerts = readFileSync(alertsFile, 'utf8');
    const expressions = [...alerts.matchAll(/^\s*expr:\s*(.+)$/gm)].map((match) => match[1] ?? '');
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const queries = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const unknown = [...expressions, ...queries].flatMap(seriesIn).filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
    // The alerts: lane lag, shard not READY, 429 rate, invalid-request budget, event-loop lag, failed jobs.
    for (const series of [
      'dgc_event_lag_seconds_bucket',
      'dgc_shard_ready',
      'dgc_rest_rate_limited_total',
      'dgc_rest_cluster_counter',
      'nodejs_eventloop_lag_p99_seconds',
      'dgc_events_failed_total',
    ]) {
      expect(expressions.some((expression) => expression.includes(series))).toBe(true);
    }
  });
});
