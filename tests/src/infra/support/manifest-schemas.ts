import * as kedaV1alpha1 from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import type { ManifestObject } from './kustomize.js';

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: never) => ValidatingModel;

/** The Kubernetes, KEDA and Prometheus Operator schemas, by apiVersion; an unlisted one is an error. */
const modelsByApiVersion: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'policy/v1': policyV1,
  'networking.k8s.io/v1': networkingV1,
  'keda.sh/v1alpha1': kedaV1alpha1,
  'monitoring.coreos.com/v1': monitoringV1,
};

/** Validates one object against its kind's OpenAPI schema; returns the problem, or undefined. */
export function schemaProblem(object: ManifestObject): string | undefined {
  const label = `${object.kind ?? '?'} ${object.metadata?.name ?? '?'}`;
  const Model = modelsByApiVersion[object.apiVersion]?.[object.kind] as ModelClass | undefined;
  if (Model === undefined) return `${label}: no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return `${label}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
