import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { TaskMonitor } from '../lifecycle/task-monitor.js';

/** A readiness check: resolves true when the dependency it names is usable. */
export type ReadinessCheck = () => Promise<boolean>;

/**
 * One process's Prometheus registry: Node's default process metrics (CPU, memory, GC, event-loop lag), the
 * task monitor's tasks by state, and whatever the app registers; plus the readiness checks `/readyz` runs.
 * Labels never carry guild, channel or user ids: their number is bounded by configuration (lanes, shards,
 * event types, route buckets).
 */
export class ProcessMetrics {
  readonly registry = new Registry();
  readonly #checks = new Map<string, ReadinessCheck>();

  constructor(role: string, tasks?: TaskMonitor) {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    if (tasks) {
      new Gauge({
        name: 'dgc_tasks',
        help: 'Background tasks of the process by state (task monitor)',
        labelNames: ['state'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const task of tasks.snapshot()) this.inc({ state: task.state });
        },
      });
      new Gauge({
        name: 'dgc_task_oldest_age_seconds',
        help: 'Age of the oldest task in its current state, by state',
        labelNames: ['state'],
        registers: [this.registry],
        collect() {
          this.reset();
          const oldest = new Map<string, number>();
          for (const task of tasks.snapshot()) {
            oldest.set(task.state, Math.max(oldest.get(task.state) ?? 0, task.ageMs / 1_000));
          }
          for (const [state, age] of oldest) this.set({ state }, age);
        },
      });
    }
  }

  /** Adds a check to `/readyz` (Redis reachable, shards READY…). */
  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
  }

  /** Runs every readiness check (each bounded by `timeoutMs`): the failing ones by name. */
  async unready(timeoutMs = 2_000): Promise<string[]> {
    const results = await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
        const ok = await Promise.race([check().catch(() => false), timeout]);
        return ok ? undefined : name;
      }),
    );
    return results.filter((name): name is string => name !== undefined);
  }
}
