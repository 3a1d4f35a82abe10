import type { KubeObject } from '../apimachinery/object.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../apimachinery/selectors.js';
import type { ObjectFilter } from '../watch/watcher.js';
import type { ListQuery } from './list-options.js';
import type { ResourceType } from './resource.js';

const supportedCache = new WeakMap<ResourceType, ReadonlySet<string>>();

/** The field-selector names a kind supports: `metadata.name`, `metadata.namespace` and the kind's own. */
export function supportedFields(rt: ResourceType): ReadonlySet<string> {
  let set = supportedCache.get(rt);
  if (!set) {
    set = new Set(['metadata.name', 'metadata.namespace', ...Object.keys(rt.fieldSelectors ?? {})]);
    supportedCache.set(rt, set);
  }
  return set;
}

/** The values of every selectable field of one object. */
export function fieldsOf(rt: ResourceType, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': obj.metadata.name ?? '',
    'metadata.namespace': obj.metadata.namespace ?? '',
  };
  for (const [name, read] of Object.entries(rt.fieldSelectors ?? {})) fields[name] = read(obj);
  return fields;
}

/**
 * Compiles a request's label and field selectors into one predicate (parsed once per request,
 * evaluated per object and event). Undefined when the request selects everything.
 * Throws 400 for a malformed selector or an unsupported field.
 */
export function compileFilter(
  rt: ResourceType,
  q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>,
): ObjectFilter | undefined {
  const labels = q.labelSelector ? parseLabelSelector(q.labelSelector) : undefined;
  const fields = q.fieldSelector ? parseFieldSelector(q.fieldSelector, supportedFields(rt)) : undefined;
  const byLabels = labels && !labels.isEverything ? labels : undefined;
  const byFields = fields && !fields.isEverything ? fields : undefined;
  if (!byLabels && !byFields) return undefined;
  return (obj) =>
    (!byLabels || matchesLabels(byLabels, obj.metadata.labels)) &&
    (!byFields || matchesFields(byFields, fieldsOf(rt, obj)));
}
