/**
 * The controller developer's API (controller-runtime's Reconciler, Result, TerminalError,
 * For/Watches, reduced to TypeScript). A controller is one object:
 *
 * ```ts
 * export const myController = defineController({
 *   name: 'my-controller',
 *   for: 'Service',
 *   watches: [watchKind('Pod', (pod, { listers }) => servicesSelecting(pod, listers))],
 *   async reconcile(ctx, key) { ... },
 * });
 * ```
 *
 * Semantics (pkg/internal/controller/controller.go, util/workqueue):
 * - The key of a `for` object is queued on every add, update and delete; each `watches` entry maps
 *   a secondary object to keys. The queue de-duplicates: N triggers, one reconcile.
 * - One key is never reconciled by two workers at once.
 * - A thrown error requeues the key with per-key exponential backoff (5 ms … 1000 s);
 *   `TerminalError` is logged and not retried; `{ requeueAfterMs }` reconciles again after that
 *   delay; returning nothing forgets the key's failures.
 * - Reconciliation is level-based: the key says *which* object, never *what happened*. Read the
 *   current state from `ctx.listers` (the informer cache: synchronous, possibly a little stale)
 *   and write through `ctx.client` (validated, optimistic concurrency: a 409 is an error, retried).
 */
import type { KubeObject } from '../apimachinery/object.js';
import type { Kind, KindMap } from '../registry/kinds/index.js';

/** The kinds a controller can watch and write, by kind name: inferred from the one list of kinds. */
export type { Kind, KindMap } from '../registry/kinds/index.js';

/** Which object: namespace (absent for cluster-scoped kinds) and name. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

export interface Result {
  /** Reconcile this key again after this many milliseconds. */
  requeueAfterMs?: number;
}

/** Read access to one kind's informer cache. Objects are shared: never mutate them. */
export interface Lister<T> {
  get(key: ObjectKey): T | undefined;
  /** Objects in a namespace (or all), optionally only those whose labels include every pair of `labels`. */
  list(opts?: { namespace?: string; labels?: Readonly<Record<string, string>> }): readonly T[];
  /** Objects whose index `name` has `value` (indexes: `namespace`, and those the informer declares, e.g. `spec.nodeName`). */
  byIndex(name: string, value: string): readonly T[];
}

export type Listers = { readonly [K in Kind]: Lister<KindMap[K]> };

/** Writes through the registry: every call is validated and subject to optimistic concurrency. */
export interface Client {
  get<K extends Kind>(kind: K, key: ObjectKey): Promise<KindMap[K]>;
  list<K extends Kind>(
    kind: K,
    opts?: { namespace?: string; labelSelector?: string; fieldSelector?: string },
  ): Promise<KindMap[K][]>;
  create<K extends Kind>(kind: K, obj: KindMap[K] | Omit<KindMap[K], 'apiVersion' | 'kind'>): Promise<KindMap[K]>;
  update<K extends Kind>(kind: K, obj: KindMap[K]): Promise<KindMap[K]>;
  updateStatus<K extends Kind>(kind: K, obj: KindMap[K]): Promise<KindMap[K]>;
  /** JSON merge patch (RFC 7386) of the main resource, or of `/status`. */
  patch<K extends Kind>(
    kind: K,
    key: ObjectKey,
    patch: unknown,
    opts?: { subresource?: 'status' },
  ): Promise<KindMap[K]>;
  /** Deletes; resolves `false` when the object was already gone. */
  delete<K extends Kind>(kind: K, key: ObjectKey): Promise<boolean>;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** A source of time, injectable so tests control every delay. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export interface ReconcileContext {
  signal: AbortSignal;
  log: Logger;
  now(): number;
  listers: Listers;
  client: Client;
}

/** Maps a secondary object to the keys of `for` objects to reconcile (EnqueueRequestsFromMapFunc). */
export interface Watch<S extends Kind = Kind> {
  kind: S;
  map(obj: KindMap[S], ctx: Pick<ReconcileContext, 'listers'>): ObjectKey[];
}

export interface Reconciler<K extends Kind = Kind> {
  /** Unique; the name `--controllers` refers to. */
  name: string;
  /** The primary kind: its objects' keys are what `reconcile` receives. */
  for: K;
  watches?: readonly Watch[];
  /** Parallel workers (default 1); one key still never runs twice at once. */
  workers?: number;
  /** Called once before workers start (after caches synced), e.g. to create bootstrap objects. */
  start?(ctx: Omit<ReconcileContext, 'signal'> & { signal: AbortSignal }): Promise<void>;
  reconcile(ctx: ReconcileContext, key: ObjectKey): Promise<Result | void>;
}

/** A failure retrying cannot fix: logged, not requeued. */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

/** Identity helpers that give controllers their types. */
export function defineController<K extends Kind>(r: Reconciler<K>): Reconciler<K> {
  return r;
}

export function watchKind<S extends Kind>(kind: S, map: Watch<S>['map']): Watch<S> {
  return { kind, map };
}

/** `namespace/name` or `name`, the queue's key format (cache.MetaNamespaceKeyFunc). */
export function keyString(key: ObjectKey): string {
  return key.namespace ? `${key.namespace}/${key.name}` : key.name;
}

export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function keyOf(obj: KubeObject): ObjectKey {
  return obj.metadata.namespace
    ? { namespace: obj.metadata.namespace, name: obj.metadata.name! }
    : { name: obj.metadata.name! };
}
