import type { z } from 'zod';
import { errors } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { apiVersionOf, type ResourceType } from './resource.js';

/**
 * Turns a request body into a typed object of `rt`, as kube-apiserver's decoder does: a body that
 * is not a JSON object, names another kind or version, or has a field of the wrong JSON type is a
 * 400 BadRequest; missing `apiVersion`/`kind` are taken from the URL; defaults are applied.
 * Semantic rules (422) are the strategy's job, later.
 */
export function decodeBody<T extends KubeObject>(rt: ResourceType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw errors.badRequest(`the body of the request must be a JSON or YAML object describing a ${rt.kind}`);
  }
  const raw = { ...(body as Record<string, unknown>) };
  const apiVersion = apiVersionOf(rt);
  raw.apiVersion ??= apiVersion;
  raw.kind ??= rt.kind;
  if (raw.apiVersion !== apiVersion || raw.kind !== rt.kind) {
    throw errors.badRequest(
      `the API version in the data (${String(raw.apiVersion)}) or kind (${String(raw.kind)}) does not match the expected API version (${apiVersion}) and kind (${rt.kind})`,
    );
  }
  raw.metadata ??= {};
  const parsed = rt.schema.safeParse(raw);
  if (!parsed.success) {
    throw errors.badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((i) => `${formatPath(i.path)}: ${i.message}`)
    .join('; ');
}

/** `spec.ports[0].port`, the path style of Kubernetes' messages. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '<root>';
}
