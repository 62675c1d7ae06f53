import { laneNames, laneQueueName, RedisKeys } from '@dgc/shared';
import type { ManifestObject } from './kustomize.js';
import { schemaProblem } from './manifest-schemas.js';
import {
  closeMarginMs,
  type Environment,
  holdsCredential,
  roleConfiguration,
  sampleSecretValues,
} from './process-roles.js';

/**
 * The rules every rendered set of Kubernetes manifests must keep, as functions returning one line per
 * violation, so the tests can show each rule failing on a broken copy.
 */
// biome-ignore lint/suspicious/noExplicitAny: manifest fragments are untyped YAML, already schema-checked
export type Fragment = any;

export interface PodWorkload {
  object: ManifestObject;
  template: Fragment;
}

export function podWorkloads(objects: ManifestObject[]): PodWorkload[] {
  return objects
    .filter((object) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind))
    .map((object) => ({ object, template: object.spec.template }));
}

/** The role a container runs: its first argument to the image's entry point (the image's default: gateway). */
export const roleOf = (container: Fragment): string => container.args?.[0] ?? 'gateway';

/**
 * The environment a container would see, with a stand-in for every value taken from a Secret or the pod,
 * and every problem found on the way (a credential written inline, a whole Secret mounted as env, …).
 */
export function containerEnvironment(container: Fragment, objects: ManifestObject[]) {
  const environment: Environment = {};
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.secretRef)
      problems.push(`envFrom secretRef ${source.secretRef.name}: take each key by secretKeyRef`);
    if (source.configMapRef) {
      const configMap = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name,
      );
      if (configMap === undefined)
        problems.push(`ConfigMap ${source.configMapRef.name} is not in the manifests`);
      for (const [name, value] of Object.entries(configMap?.data ?? {})) {
        if (holdsCredential(name, String(value))) problems.push(`${name} is a credential in a ConfigMap`);
        environment[name] = String(value);
      }
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      if (holdsCredential(variable.name, variable.value)) problems.push(`${variable.name} is written inline`);
      environment[variable.name] = String(variable.value);
    } else if (variable.valueFrom?.secretKeyRef) {
      environment[variable.name] = sampleSecretValues[variable.name] ?? 'value-from-a-secret';
    } else if (variable.valueFrom?.fieldRef) {
      environment[variable.name] = 'value-from-the-pod';
    } else {
      problems.push(`${variable.name}: only value, secretKeyRef or fieldRef are expected`);
    }
  }
  for (const name of ['DISCORD_TOKEN', 'DASHBOARD_TOKEN']) {
    const fromSecret = (container.env ?? []).some(
      (v: Fragment) => v.name === name && v.valueFrom?.secretKeyRef,
    );
    if (name in environment && !fromSecret)
      problems.push(`${name} does not come from a Secret (secretKeyRef)`);
  }
  return { environment, problems };
}

/** Every rule the manifests must keep; one line per violation. */
export function manifestProblems(objects: ManifestObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const problem = schemaProblem(object);
    if (problem !== undefined) problems.push(problem);
  }
  for (const { object, template } of podWorkloads(objects)) {
    const label = `${object.kind} ${object.metadata.name}`;
    if (template.spec.securityContext?.runAsNonRoot !== true)
      problems.push(`${label}: runAsNonRoot is not set`);
    for (const container of template.spec.containers) {
      const role = roleOf(container);
      const configuration = roleConfiguration(role);
      const { environment, problems: environmentProblems } = containerEnvironment(container, objects);
      problems.push(...environmentProblems.map((problem) => `${label}: ${problem}`));
      for (const variable of Object.keys(environment)) {
        if (!configuration.variables.has(variable))
          problems.push(`${label}: ${variable} is not read by the ${role}`);
      }
      problems.push(...configuration.problems(environment).map((problem) => `${label}: ${problem}`));
      const deadline = configuration.drainDeadlineMs(environment);
      if (deadline === undefined) continue;
      // Kubernetes' default grace period is 30 s.
      const graceMs = (template.spec.terminationGracePeriodSeconds ?? 30) * 1_000;
      if (graceMs < deadline + closeMarginMs) {
        problems.push(
          `${label}: terminationGracePeriodSeconds ${graceMs / 1_000} < drain ${deadline} ms + ${closeMarginMs} ms`,
        );
      }
      problems.push(...probeProblems(label, container, environment));
    }
  }
  return problems;
}

/** Readiness on /readyz and liveness on /healthz, on the port the process serves them (METRICS_PORT, not loopback). */
function probeProblems(label: string, container: Fragment, environment: Environment): string[] {
  const problems: string[] = [];
  if (
    environment.METRICS_HOST === undefined ||
    ['127.0.0.1', 'localhost', '::1'].includes(environment.METRICS_HOST)
  ) {
    problems.push(`${label}: METRICS_HOST is loopback, the kubelet cannot probe it`);
  }
  for (const [probe, path] of [
    ['readinessProbe', '/readyz'],
    ['livenessProbe', '/healthz'],
  ] as const) {
    const httpGet = container[probe]?.httpGet;
    if (httpGet?.path !== path) {
      problems.push(`${label}: ${probe} is not an httpGet of ${path}`);
      continue;
    }
    const port =
      typeof httpGet.port === 'number'
        ? httpGet.port
        : container.ports?.find((p: Fragment) => p.name === httpGet.port)?.containerPort;
    if (String(port) !== environment.METRICS_PORT) {
      problems.push(
        `${label}: ${probe} port ${httpGet.port} is not METRICS_PORT ${environment.METRICS_PORT}`,
      );
    }
  }
  return problems;
}

/** BullMQ's wait list of a lane's queue, named by the code's one owner of Redis keys (RedisKeys). */
function laneWaitKey(lane: string, environment: Environment): string {
  const keys = new RedisKeys(environment.REDIS_KEY_PREFIX || 'dgc');
  return keys.queueKey(laneQueueName(lane as (typeof laneNames)[number]), 'wait');
}

/** Each worker Deployment has a ScaledObject on its own lanes' depth, within the REST budget. */
export function autoscalingProblems(objects: ManifestObject[]): string[] {
  const problems: string[] = [];
  const scaledObjects = objects.filter((object) => object.kind === 'ScaledObject');
  let fallbackShareAtMaximum = 0;
  const workers = podWorkloads(objects).filter(
    ({ template }) => roleOf(template.spec.containers[0]) === 'worker',
  );
  for (const { object, template } of workers) {
    const label = `Deployment ${object.metadata.name}`;
    const { environment } = containerEnvironment(template.spec.containers[0], objects);
    const lanes = (environment.WORKER_LANES ?? laneNames.join(',')).split(',');
    const scaled = scaledObjects.filter(
      (scaledObject) => scaledObject.spec.scaleTargetRef.name === object.metadata.name,
    );
    if (scaled.length !== 1) {
      problems.push(`${label}: expected one ScaledObject, found ${scaled.length}`);
      continue;
    }
    if (object.spec.replicas !== undefined) problems.push(`${label}: sets replicas, which fights KEDA`);
    const spec = (scaled[0] as ManifestObject).spec;
    const minimum = spec.minReplicaCount ?? 0;
    if (lanes.includes('interactions') && minimum < 1)
      problems.push(`${label}: interactions workers scale to zero`);
    if (spec.maxReplicaCount === undefined || spec.maxReplicaCount < Math.max(minimum, 1)) {
      problems.push(`${label}: maxReplicaCount missing or below minReplicaCount`);
    }
    for (const trigger of spec.triggers) {
      if (trigger.type !== 'redis') continue;
      const expected = lanes.map((lane) => laneWaitKey(lane, environment));
      if (!expected.includes(trigger.metadata.listName)) {
        problems.push(
          `${label}: trigger list ${trigger.metadata.listName} is none of its lanes' ${expected}`,
        );
      }
      const authentication = trigger.authenticationRef?.name;
      if (!objects.some((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === authentication)) {
        problems.push(`${label}: TriggerAuthentication ${authentication} is not in the manifests`);
      }
    }
    fallbackShareAtMaximum += (spec.maxReplicaCount ?? 0) * Number(environment.REST_FALLBACK_SHARE ?? 0.25);
  }
  // While Redis is unreachable each worker sends up to REST_FALLBACK_SHARE of the REST limits on its own:
  // every worker at its maximum must still fit in the bot's limit.
  if (fallbackShareAtMaximum > 1 + 1e-9) {
    problems.push(
      `workers at their maximum × REST_FALLBACK_SHARE = ${fallbackShareAtMaximum} > 1 REST budget`,
    );
  }
  return problems;
}

export const byKind = (objects: ManifestObject[], kind: string) =>
  objects.filter((object) => object.kind === kind);
export const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
