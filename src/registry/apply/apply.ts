import { jsonEqual } from '../../apimachinery/equal.js';
import { StatusError, type StatusCause } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { applyStrategicMergePatch, type PatchMeta } from '../../apimachinery/patch.js';
import {
  describePath,
  fieldPaths,
  fromFieldsV1,
  pathKey,
  removePath,
  toFieldsV1,
  valueAt,
  type FieldPath,
} from './field-set.js';

/** One `metadata.managedFields` entry (metav1.ManagedFieldsEntry). */
interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ApplyOptions {
  manager: string;
  /** Take over fields other managers own instead of reporting conflicts (`force=true`). */
  force: boolean;
  apiVersion: string;
  now: string;
  meta: PatchMeta;
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Map<string, FieldPath>;
}

/**
 * Server-side apply of `applied` (a partial object: the manager's whole intent) onto `live`
 * (undefined when the object does not exist yet), as structured-merge-diff does it in outline:
 * - the manager owns exactly the fields it applied; fields it owned before and no longer applies
 *   are removed unless another manager owns them too;
 * - applying a different value to a field another manager owns is a conflict, reported as a 409
 *   listing every conflicting field — unless `force`, which takes the fields over;
 * - the applied values are merged into the live object with Kubernetes' merge keys.
 * Only apply operations record ownership today (plain updates do not yet add `Update` entries).
 */
export function applyConfiguration(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  const owners = ((live?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map(toOwner);
  const mine = owners.find((o) => o.entry.manager === opts.manager && o.entry.operation === 'Apply');
  const others = owners.filter((o) => o !== mine);
  const wanted = new Map(fieldPaths(applied, opts.meta).map((p) => [pathKey(p), p]));

  const conflicts = findConflicts(live, applied, wanted, others);
  if (conflicts.length && !opts.force) throw conflictError(conflicts);
  if (opts.force) for (const o of others) for (const k of wanted.keys()) o.paths.delete(k);

  const result: KubeObject = structuredClone(
    live ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} },
  );
  for (const [key, path] of mine?.paths ?? []) {
    if (!wanted.has(key) && !others.some((o) => o.paths.has(key))) removePath(result as never, path);
  }
  const { managedFields: _ignored, ...appliedMeta } = applied.metadata;
  const merged = applyStrategicMergePatch(result, { ...applied, metadata: appliedMeta }, opts.meta) as KubeObject;
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: opts.apiVersion,
    time: opts.now,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1([...wanted.values()]),
  };
  merged.metadata.managedFields = [...others.filter((o) => o.paths.size > 0).map(fromOwner), entry];
  return merged;
}

function toOwner(entry: ManagedFieldsEntry): Owner {
  return { entry, paths: new Map(fromFieldsV1(entry.fieldsV1).map((p) => [pathKey(p), p])) };
}

function fromOwner(o: Owner): ManagedFieldsEntry {
  return { ...o.entry, fieldsV1: toFieldsV1([...o.paths.values()]) };
}

/** Fields another manager owns to which this apply gives a different value. */
function findConflicts(
  live: KubeObject | undefined,
  applied: KubeObject,
  wanted: Map<string, FieldPath>,
  others: Owner[],
): { manager: Owner; path: FieldPath }[] {
  if (!live) return [];
  const out: { manager: Owner; path: FieldPath }[] = [];
  for (const o of others) {
    for (const [key, path] of o.paths) {
      if (!wanted.has(key) || path[path.length - 1] === '.') continue;
      if (!jsonEqual(valueAt(live, path), valueAt(applied, path))) out.push({ manager: o, path });
    }
  }
  return out;
}

function conflictError(conflicts: { manager: Owner; path: FieldPath }[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager.entry.manager}"${c.manager.entry.apiVersion ? ` using ${c.manager.entry.apiVersion}` : ''}`,
    field: describePath(c.path),
  }));
  const n = conflicts.length;
  const text = causes.map((c) => `${c.message}: ${c.field}`).join('\n- ');
  return new StatusError(
    409,
    'Conflict',
    `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${n === 1 ? text : `\n- ${text}`}`,
    { causes },
  );
}

/**
 * Records a plain write (create, update, patch) in `metadata.managedFields`, as kube-apiserver
 * does for every write with a field manager: the manager's `Update` entry takes over every field
 * whose value the write set or changed (other managers lose those fields, no conflict), so a
 * later apply by someone else that disagrees reports a conflict with this manager. A write that
 * changes no field leaves the entries, and so the object, untouched.
 */
export function recordUpdate(
  next: KubeObject,
  current: KubeObject | undefined,
  opts: Omit<ApplyOptions, 'force'> & { subresource?: string },
): void {
  const changed = fieldPaths(next, opts.meta).filter(
    (p) => p[p.length - 1] !== '.' && (!current || !jsonEqual(valueAt(current, p), valueAt(next, p))),
  );
  if (changed.length === 0) return;
  const keys = new Set(changed.map(pathKey));
  const owners = ((current?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map(toOwner);
  const isMine = (o: Owner) =>
    o.entry.manager === opts.manager && o.entry.operation === 'Update' && o.entry.subresource === opts.subresource;
  const mine = owners.find(isMine);
  for (const o of owners) if (o !== mine) for (const k of keys) o.paths.delete(k);
  const paths = new Map(mine?.paths ?? []);
  for (const p of changed) paths.set(pathKey(p), p);
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: 'Update',
    apiVersion: opts.apiVersion,
    time: opts.now,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1([...paths.values()]),
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  };
  next.metadata.managedFields = [...owners.filter((o) => o !== mine && o.paths.size > 0).map(fromOwner), entry];
}
