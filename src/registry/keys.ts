import type { ResourceType } from './resource.js';

/** Every object lives under this storage prefix. */
export const registryRoot = '/registry/';

/**
 * Storage key prefix of one resource: `/registry/core/pods/`, `/registry/networking.k8s.io/ingresses/`.
 * Namespaced objects follow as `<namespace>/<name>`, cluster-scoped ones as `<name>`.
 */
export function resourcePrefix(rt: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${registryRoot}${rt.group || 'core'}/${rt.plural}/`;
}

/** The key prefix of a list request: the whole resource, or one namespace of it. */
export function listPrefix(rt: ResourceType, namespace: string | undefined): string {
  return rt.namespaced && namespace ? `${resourcePrefix(rt)}${namespace}/` : resourcePrefix(rt);
}

export function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return rt.namespaced ? `${resourcePrefix(rt)}${namespace}/${name}` : `${resourcePrefix(rt)}${name}`;
}
