import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYamlFile } from './repository-files.js';

/** A Kubernetes object as YAML gives it. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML, checked by the schema validators
  spec?: any;
  [field: string]: unknown;
}

/** Kinds without a namespace among those this repository uses. */
const clusterScopedKinds = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);
/** The kustomization features this renderer implements; anything else fails rather than being ignored. */
const supportedFields = new Set(['apiVersion', 'kind', 'resources', 'patches', 'images', 'namespace']);

interface Kustomization {
  resources?: string[];
  patches?: { path?: string; [other: string]: unknown }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  namespace?: string;
}

/**
 * Renders a kustomization the way `kubectl kustomize` does for the features used in infra/k8s (resources,
 * strategic-merge patches by file, images, namespace), so the manifests can be checked where no kubectl
 * is installed. The k8s test compares this with `kubectl kustomize` where kubectl exists.
 */
export function renderKustomization(directory: string): ManifestObject[] {
  const kustomization = parseYamlFile(join(directory, 'kustomization.yaml'))[0] as Kustomization;
  const unsupported = Object.keys(kustomization).filter((field) => !supportedFields.has(field));
  if (unsupported.length > 0)
    throw new Error(`${directory}: unsupported kustomization fields ${unsupported}`);
  let objects: ManifestObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = resolve(directory, resource);
    if (!existsSync(path)) throw new Error(`${directory}: resource ${resource} does not exist`);
    objects.push(
      ...(statSync(path).isDirectory()
        ? renderKustomization(path)
        : (parseYamlFile(path).filter((document) => document !== null) as ManifestObject[])),
    );
  }
  for (const patchEntry of kustomization.patches ?? []) {
    if (patchEntry.path === undefined || Object.keys(patchEntry).length !== 1) {
      throw new Error(`${directory}: only patches given as { path } are supported`);
    }
    const patchFile = resolve(directory, patchEntry.path);
    for (const patch of parseYamlFile(patchFile) as ManifestObject[]) {
      const index = objects.findIndex(
        (object) => object.kind === patch.kind && object.metadata.name === patch.metadata.name,
      );
      if (index === -1) throw new Error(`${patchFile}: no ${patch.kind} ${patch.metadata.name} to patch`);
      objects[index] = strategicMerge(objects[index], patch) as ManifestObject;
    }
  }
  for (const image of kustomization.images ?? []) objects = objects.map((object) => withImage(object, image));
  if (kustomization.namespace !== undefined) {
    const namespace = kustomization.namespace;
    objects = objects.map((object) =>
      clusterScopedKinds.has(object.kind)
        ? object
        : { ...object, metadata: { ...object.metadata, namespace } },
    );
  }
  return objects;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(value: unknown): value is { name: string }[] {
  return Array.isArray(value) && value.every((item) => isPlainObject(item) && typeof item.name === 'string');
}

/**
 * Kubernetes' strategic merge for the shapes used here: objects merge key by key, lists of named items
 * (containers, env, volumes) merge item by item on `name`, anything else is replaced by the patch.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isPlainObject(patch) && '$patch' in patch) throw new Error('$patch directives are not supported');
  if (isPlainObject(target) && isPlainObject(patch)) {
    const merged: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch)) merged[key] = strategicMerge(target[key], value);
    return merged;
  }
  if (isNamedList(target) && isNamedList(patch)) {
    const merged: unknown[] = target.map((item) => {
      const patchItem = patch.find((candidate) => candidate.name === item.name);
      return patchItem === undefined ? item : strategicMerge(item, patchItem);
    });
    const added = patch.filter((item) => !target.some((existing) => existing.name === item.name));
    return [...added, ...merged];
  }
  return patch;
}

/** Kustomize's `images` transformer: every container image named `name` gets the new name and tag. */
function withImage(object: ManifestObject, image: { name: string; newName?: string; newTag?: string }) {
  const visit = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => visit(item, key));
    if (!isPlainObject(value)) return value;
    const copy: Record<string, unknown> = {};
    for (const [field, child] of Object.entries(value)) copy[field] = visit(child, field);
    if ((key === 'containers' || key === 'initContainers') && typeof copy.image === 'string') {
      const [name, tag] = copy.image.split(':');
      if (name === image.name) copy.image = `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}`;
    }
    return copy;
  };
  return visit(object) as ManifestObject;
}

/** Sorted keys, and lists of named items in name order: for comparing two renderings. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return isNamedList(items) ? [...items].sort((a, b) => a.name.localeCompare(b.name)) : items;
  }
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])]),
  );
}
