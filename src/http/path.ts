import type { ResourceType } from '../registry/resource.js';

/** A resource request decoded from its URL path (kube-apiserver's RequestInfo). */
export interface ResourcePath {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Reached through the deprecated `watch/` prefix (`/api/v1/watch/namespaces/<ns>/pods[/<name>]`). */
  watchPrefix?: true;
}

/** Finds the served resource for a group, version and plural. */
export type ResourceLookup = (group: string, version: string, plural: string) => ResourceType | undefined;

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` resource paths:
 * `<plural>[/<name>[/<sub>]]` and `namespaces/<ns>/<plural>[/<name>[/<sub>]]`, where
 * `namespaces/<name>[/<sub>]` is the Namespace object itself. Undefined when nothing matches.
 * Empty segments (a trailing slash) are ignored, as kube-apiserver's RequestInfo trims them.
 *
 * The deprecated `watch/` prefix before either form (RequestInfoFactory's special verbs,
 * staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) marks a watch of the
 * collection or of one named object; it takes no subresource (the installer registers none).
 */
export function parseResourcePath(path: string, lookup: ResourceLookup): ResourcePath | undefined {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(safeDecode);
  if (parts.some((p) => p === undefined)) return undefined;
  const segs = parts as string[];
  let group: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    rest = segs.slice(1);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    rest = segs.slice(2);
  } else {
    return undefined;
  }
  const [version, ...afterVersion] = rest;
  const watchPrefix = afterVersion[0] === 'watch';
  const tail = watchPrefix ? afterVersion.slice(1) : afterVersion;
  const found = parseTail(group, version, tail, lookup);
  if (!watchPrefix || !found) return found;
  return found.subresource === undefined ? { ...found, watchPrefix: true } : undefined;
}

function parseTail(group: string, version: string, tail: string[], lookup: ResourceLookup): ResourcePath | undefined {
  if (tail[0] === 'namespaces' && tail.length >= 3) {
    const inner = lookup(group, version, tail[2]);
    if (inner?.namespaced && tail.length <= 5) return withParts(inner, tail[1], tail.slice(3));
  }
  const rt = lookup(group, version, tail[0]);
  if (!rt || tail.length > 3) return undefined;
  return withParts(rt, undefined, tail.slice(1));
}

function withParts(rt: ResourceType, namespace: string | undefined, rest: string[]): ResourcePath {
  const out: ResourcePath = { rt };
  if (namespace !== undefined) out.namespace = namespace;
  if (rest[0] !== undefined) out.name = rest[0];
  if (rest[1] !== undefined) out.subresource = rest[1];
  return out;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
