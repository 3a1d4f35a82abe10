/**
 * A small in-memory stand-in for a controller's ReconcileContext: listers over plain arrays, and a
 * client that applies writes to them (resourceVersion checks, status-only status writes, merge
 * patches, deletes held by finalizers) and records every call. Not a registry: no validation, no
 * defaults. `stale()` freezes what the listers show, to test reconcilers against an old cache.
 *
 * Namespaces behave as proposed for the registry (see controllers/namespace/namespace.ts): a status
 * write also carries `spec.finalizers` (the stand-in for `/finalize`), and a terminating namespace
 * is removed only once both its metadata and spec finalizers are empty.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { applyMergePatch } from '../../src/apimachinery/patch.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import {
  keyString,
  type Client,
  type Kind,
  type KindMap,
  type Lister,
  type Listers,
  type ObjectKey,
  type ReconcileContext,
} from '../../src/runtime/api.js';
import { allKinds, defaultIndexes } from '../../src/runtime/manager.js';
import type { IndexFunc } from '../../src/registry/resource.js';

/** One client call, as recorded. */
export interface Call {
  verb: 'get' | 'list' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete';
  kind: Kind;
  key?: string;
  body?: unknown;
  subresource?: 'status';
}

/** Every kind a controller can read: the SDK's own list. */
const KINDS = allKinds;

function keyOfObject(obj: KubeObject): string {
  return keyString({ namespace: obj.metadata.namespace, name: obj.metadata.name! });
}

function notFound(kind: Kind, key: string): StatusError {
  return new StatusError(404, 'NotFound', `${kind} "${key}" not found`);
}

function specFinalizers(kind: Kind, obj: KubeObject): string[] {
  return kind === 'Namespace' ? ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
}

/** A status write: only status changes, except a Namespace's spec.finalizers (see above). */
function withStatusOf(kind: Kind, current: KubeObject, incoming: KubeObject): KubeObject {
  const next: KubeObject = { ...structuredClone(current), status: structuredClone(incoming.status) };
  if (kind === 'Namespace') next.spec = { ...(next.spec as object), finalizers: specFinalizers(kind, incoming) };
  return next;
}

function labelsMatch(obj: KubeObject, labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(labels ?? {}).every(([k, v]) => obj.metadata.labels?.[k] === v);
}

/** The fake cluster: objects by kind and key, plus the recorded calls. */
export class FakeCluster {
  readonly calls: Call[] = [];
  readonly logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  nowMs = Date.UTC(2025, 0, 1, 12, 0, 0);
  private readonly store = new Map<Kind, Map<string, KubeObject>>(KINDS.map((k) => [k, new Map()]));
  private frozen: Map<Kind, Map<string, KubeObject>> | undefined;
  private revision = 0;
  private uidCounter = 0;
  /** Errors to throw from the next matching call, consumed in order. */
  readonly failures: { verb: Call['verb']; kind: Kind; error: Error }[] = [];

  /** Starts with `objects`, each of which must say its `kind`. */
  constructor(objects: readonly KindMap[Kind][] = []) {
    for (const obj of objects) {
      if (!obj.kind || !KINDS.includes(obj.kind as Kind))
        throw new Error(`fixture object ${obj.metadata.name} needs a known kind`);
      this.put(obj.kind as Kind, obj);
    }
  }

  /** Stores `obj` as if it had been created earlier (uid and resourceVersion filled in). */
  put<K extends Kind>(kind: K, obj: KindMap[Kind] | KubeObject): KindMap[K] {
    const stored = structuredClone(obj) as KubeObject;
    stored.metadata.uid ??= `uid-${++this.uidCounter}`;
    stored.metadata.resourceVersion = String(++this.revision);
    this.store.get(kind)!.set(keyOfObject(stored), stored);
    return stored as KindMap[K];
  }

  /** The stored object (a copy), or undefined. */
  get<K extends Kind>(kind: K, key: ObjectKey): KindMap[K] | undefined {
    const obj = this.store.get(kind)!.get(keyString(key));
    return obj && (structuredClone(obj) as KindMap[K]);
  }

  /** Every stored object of `kind` (copies). */
  all<K extends Kind>(kind: K): KindMap[K][] {
    return [...this.store.get(kind)!.values()].map((o) => structuredClone(o) as KindMap[K]);
  }

  /** Removes an object without going through the client (an informer delete event). */
  remove(kind: Kind, key: ObjectKey): void {
    this.store.get(kind)!.delete(keyString(key));
  }

  /** From now on the listers show the current objects, whatever the client writes later. */
  stale(): void {
    this.frozen = new Map([...this.store].map(([k, m]) => [k, new Map(m)]));
  }

  /** Listers show the current objects again. */
  fresh(): void {
    this.frozen = undefined;
  }

  /** The calls of one verb (and kind). */
  callsOf(verb: Call['verb'], kind?: Kind): Call[] {
    return this.calls.filter((c) => c.verb === verb && (!kind || c.kind === kind));
  }

  ctx(): ReconcileContext {
    return {
      signal: new AbortController().signal,
      log: {
        info: (msg, fields) => this.logs.push({ level: 'info', msg, fields }),
        error: (msg, fields) => this.logs.push({ level: 'error', msg, fields }),
        debug: (msg, fields) => this.logs.push({ level: 'debug', msg, fields }),
      },
      now: () => this.nowMs,
      listers: this.listers(),
      client: this.client(),
    };
  }

  private view(kind: Kind): Map<string, KubeObject> {
    return (this.frozen ?? this.store).get(kind)!;
  }

  private lister(kind: Kind): Lister<KubeObject> {
    return {
      get: (key) => this.view(kind).get(keyString(key)),
      list: (opts) =>
        [...this.view(kind).values()].filter(
          (o) => (!opts?.namespace || o.metadata.namespace === opts.namespace) && labelsMatch(o, opts?.labels),
        ),
      byIndex: (name, value) => {
        // The indexes the kind declares, as the Manager's informers keep them.
        const indexes: Readonly<Record<string, IndexFunc>> = {
          namespace: (o) => [o.metadata.namespace ?? ''],
          ...defaultIndexes[kind],
        };
        if (!indexes[name]) throw new Error(`no index ${name}`);
        return [...this.view(kind).values()].filter((o) => indexes[name](o).includes(value));
      },
    };
  }

  private listers(): Listers {
    return Object.fromEntries(KINDS.map((k) => [k, this.lister(k)])) as unknown as Listers;
  }

  private record(call: Call): void {
    this.calls.push(structuredClone(call));
    const i = this.failures.findIndex((f) => f.verb === call.verb && f.kind === call.kind);
    if (i >= 0) throw this.failures.splice(i, 1)[0].error;
  }

  private current(kind: Kind, key: string): KubeObject {
    const obj = this.store.get(kind)!.get(key);
    if (!obj) throw notFound(kind, key);
    return obj;
  }

  private write(kind: Kind, next: KubeObject): KubeObject {
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && !specFinalizers(kind, next).length) {
      this.store.get(kind)!.delete(keyOfObject(next));
      return next;
    }
    next.metadata.resourceVersion = String(++this.revision);
    this.store.get(kind)!.set(keyOfObject(next), next);
    return structuredClone(next);
  }

  private checkVersion(kind: Kind, obj: KubeObject, current: KubeObject): void {
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion)
      throw new StatusError(409, 'Conflict', `${kind} "${obj.metadata.name}": the object has been modified`);
  }

  private client(): Client {
    const client = {
      get: async (kind: Kind, key: ObjectKey) => {
        this.record({ verb: 'get', kind, key: keyString(key) });
        return structuredClone(this.current(kind, keyString(key)));
      },
      list: async (kind: Kind, opts?: { namespace?: string }) => {
        this.record({ verb: 'list', kind, body: opts });
        return this.all(kind).filter(
          (o) => !opts?.namespace || (o as KubeObject).metadata.namespace === opts.namespace,
        );
      },
      create: async (kind: Kind, obj: KubeObject) => {
        const key = keyOfObject(obj);
        this.record({ verb: 'create', kind, key, body: obj });
        if (this.store.get(kind)!.has(key))
          throw new StatusError(409, 'AlreadyExists', `${kind} "${key}" already exists`);
        return this.put(kind, {
          ...structuredClone(obj),
          metadata: { ...obj.metadata, creationTimestamp: new Date(this.nowMs).toISOString() },
        });
      },
      update: async (kind: Kind, obj: KubeObject) => {
        const key = keyOfObject(obj);
        this.record({ verb: 'update', kind, key, body: obj });
        const current = this.current(kind, key);
        this.checkVersion(kind, obj, current);
        return this.write(kind, { ...structuredClone(obj), status: current.status });
      },
      updateStatus: async (kind: Kind, obj: KubeObject) => {
        const key = keyOfObject(obj);
        this.record({ verb: 'updateStatus', kind, key, body: obj, subresource: 'status' });
        const current = this.current(kind, key);
        this.checkVersion(kind, obj, current);
        return this.write(kind, withStatusOf(kind, current, obj));
      },
      patch: async (kind: Kind, key: ObjectKey, patch: unknown, opts?: { subresource?: 'status' }) => {
        this.record({ verb: 'patch', kind, key: keyString(key), body: patch, subresource: opts?.subresource });
        const current = this.current(kind, keyString(key));
        const patched = applyMergePatch(current, patch) as KubeObject;
        const next =
          opts?.subresource === 'status'
            ? withStatusOf(kind, current, patched)
            : { ...patched, status: current.status };
        return this.write(kind, next);
      },
      delete: async (kind: Kind, key: ObjectKey) => {
        this.record({ verb: 'delete', kind, key: keyString(key) });
        const current = this.store.get(kind)!.get(keyString(key));
        if (!current) return false;
        if (current.metadata.finalizers?.length) {
          current.metadata.deletionTimestamp ??= new Date(this.nowMs).toISOString();
          return true;
        }
        this.store.get(kind)!.delete(keyString(key));
        return true;
      },
    };
    return client as unknown as Client;
  }
}
