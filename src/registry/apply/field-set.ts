import type { PatchMeta } from '../../apimachinery/patch.js';

/**
 * Field sets of server-side apply (structured-merge-diff's `fieldpath.Set`, `FieldsV1` on the
 * wire). A path is a list of segments, each as FieldsV1 spells it: `f:<field>` for a map key,
 * `k:{"name":"c"}` for the element of a list merged by key, `v:<json>` for a member of a list of
 * primitives merged as a set. Lists without merge semantics are atomic: the list is one leaf.
 */
export type FieldPath = readonly string[];

type Json = { [key: string]: unknown };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Server-owned fields that no manager owns (upstream's reset fields for apply). */
const unowned = new Set(['apiVersion', 'kind']);
const unownedMeta = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Every leaf path set in `obj` (what a manager that applied `obj` owns). */
export function fieldPaths(obj: Json, meta: PatchMeta): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (unowned.has(k) || v === undefined || v === null) continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v))
        if (!unownedMeta.has(mk) && mv !== undefined && mv !== null)
          walk(mv, [`f:metadata`, `f:${mk}`], meta.metadata?.meta?.[mk], out);
      continue;
    }
    walk(v, [`f:${k}`], meta[k], out);
  }
  return out;
}

function walk(value: unknown, path: string[], fieldMeta: PatchMeta[string] | undefined, out: FieldPath[]): void {
  if (Array.isArray(value) && fieldMeta?.strategy === 'merge') {
    if (value.length === 0) return void out.push(path);
    for (const item of value) {
      if (isObject(item) && fieldMeta.mergeKey) {
        const keyPath = [...path, `k:${JSON.stringify({ [fieldMeta.mergeKey]: item[fieldMeta.mergeKey] })}`];
        out.push([...keyPath, '.']);
        for (const [k, v] of Object.entries(item))
          if (v !== undefined && v !== null) walk(v, [...keyPath, `f:${k}`], fieldMeta.meta?.[k], out);
      } else {
        out.push([...path, `v:${JSON.stringify(item)}`]);
      }
    }
    return;
  }
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value))
      if (v !== undefined && v !== null) walk(v, [...path, `f:${k}`], fieldMeta?.meta?.[k], out);
    return;
  }
  out.push(path);
}

export const pathKey = (p: FieldPath): string => p.join('\u0000');

/** The value at a path (undefined when absent); `.` means the list element itself. */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (seg === '.') continue;
    cur = step(cur, seg);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function step(cur: unknown, seg: string): unknown {
  if (seg.startsWith('f:')) return isObject(cur) ? cur[seg.slice(2)] : undefined;
  if (!Array.isArray(cur)) return undefined;
  if (seg.startsWith('k:')) {
    const [[k, v]] = Object.entries(JSON.parse(seg.slice(2)) as Json);
    return cur.find((item) => isObject(item) && item[k] === v);
  }
  const wanted = seg.slice(2);
  return cur.find((item) => JSON.stringify(item) === wanted);
}

/** Removes the value at a path (and the list element for `.`/`k:`/`v:` leaves) from `obj`, in place. */
export function removePath(obj: Json, path: FieldPath): void {
  const leaf = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  const parentPath = leaf.slice(0, -1);
  const parent = valueAt(obj, parentPath);
  const last = leaf[leaf.length - 1];
  if (last.startsWith('f:')) {
    if (isObject(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const target = step(parent, last);
  const index = parent.indexOf(target);
  if (index >= 0) parent.splice(index, 1);
}

/** FieldsV1 JSON (`{"f:spec":{"f:replicas":{}}}`) of a set of paths. */
export function toFieldsV1(paths: readonly FieldPath[]): Json {
  const root: Json = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) node = (node[seg] ??= {}) as Json;
  }
  return root;
}

/** The paths of a FieldsV1 document (leaves, and `.` markers of list elements). */
export function fromFieldsV1(fields: unknown, prefix: string[] = []): FieldPath[] {
  if (!isObject(fields)) return [];
  const entries = Object.entries(fields);
  if (entries.length === 0) return prefix.length ? [prefix] : [];
  return entries.flatMap(([seg, sub]) => (seg === '.' ? [[...prefix, '.']] : fromFieldsV1(sub, [...prefix, seg])));
}

/** `.spec.ports[port=80].targetPort`-style text for conflict messages. */
export function describePath(path: FieldPath): string {
  return path
    .filter((s) => s !== '.')
    .map((s) =>
      s.startsWith('f:')
        ? `.${s.slice(2)}`
        : s.startsWith('k:')
          ? `[${Object.entries(JSON.parse(s.slice(2)) as Json)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(',')}]`
          : `[=${s.slice(2)}]`,
    )
    .join('');
}
