/**
 * An in-memory cluster for reconcile tests whose listers lag behind the store like informers do:
 * `client` writes reach the store at once, the listers only on `sync()`, so a stale cache can be
 * staged. Listers are real Indexers with the Manager's indexes. Calls are recorded as
 * `"<verb> <Kind> <name>"`; `failNextWrite` makes the next write throw.
 */
import { errors } from '../../src/apimachinery/errors.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import type { Client, Kind, Listers, ObjectKey, ReconcileContext } from '../../src/runtime/api.js';
import { Indexer } from '../../src/runtime/indexer.js';
import { allKinds, defaultIndexes } from '../../src/runtime/manager.js';

export function laggingCluster(initial: KubeObject[] = []) {
  const store = new Map<Kind, KubeObject[]>(allKinds.map((k) => [k, []]));
  for (const obj of initial) store.get(obj.kind as Kind)!.push(structuredClone(obj));
  const indexers = new Map<Kind, Indexer>(allKinds.map((k) => [k, new Indexer(defaultIndexes[k])]));
  const sync = () => {
    for (const [kind, objs] of store) indexers.get(kind)!.replace(structuredClone(objs));
  };
  sync();
  const calls: string[] = [];
  let revision = 100;
  let generated = 0;
  let failNext: Error | undefined;
  const same = (o: KubeObject, key: ObjectKey) =>
    o.metadata.name === key.name && o.metadata.namespace === key.namespace;
  const ref = (kind: Kind) => ({ group: '', plural: kind.toLowerCase() });
  const write = (verb: string, kind: Kind, name: string) => {
    calls.push(`${verb} ${kind} ${name}`);
    const err = failNext;
    failNext = undefined;
    if (err) throw err;
  };
  const client = {
    async create(kind: Kind, input: KubeObject) {
      const obj = { ...structuredClone(input), kind } as KubeObject;
      obj.metadata.name ??= `${obj.metadata.generateName}x${++generated}`;
      write('create', kind, obj.metadata.name);
      if (store.get(kind)!.some((o) => same(o, obj.metadata as ObjectKey)))
        throw errors.alreadyExists(ref(kind), obj.metadata.name);
      Object.assign(obj.metadata, {
        uid: `uid-${obj.metadata.name}`,
        resourceVersion: String(++revision),
        generation: 1,
      });
      store.get(kind)!.push(obj);
      return structuredClone(obj);
    },
    async update(kind: Kind, input: KubeObject) {
      const obj = structuredClone(input);
      write('update', kind, obj.metadata.name!);
      const list = store.get(kind)!;
      const index = list.findIndex((o) => same(o, obj.metadata as ObjectKey));
      if (index < 0) throw errors.notFound(ref(kind), obj.metadata.name!);
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== list[index].metadata.resourceVersion)
        throw errors.conflict(ref(kind), obj.metadata.name!);
      Object.assign(obj.metadata, {
        resourceVersion: String(++revision),
        generation: (list[index].metadata.generation ?? 0) + 1,
      });
      list[index] = obj;
      return structuredClone(obj);
    },
    async delete(kind: Kind, key: ObjectKey) {
      write('delete', kind, key.name);
      const list = store.get(kind)!;
      const index = list.findIndex((o) => same(o, key));
      if (index >= 0) list.splice(index, 1);
      return index >= 0;
    },
  } as unknown as Client;
  const ctx: ReconcileContext = {
    signal: new AbortController().signal,
    log: { info() {}, error() {}, debug() {} },
    now: () => 0,
    listers: Object.fromEntries(allKinds.map((k) => [k, indexers.get(k)!])) as unknown as Listers,
    client,
  };
  return {
    ctx,
    calls,
    sync,
    /** The stored object (not the cached one), mutable in place. */
    stored: (kind: Kind, name: string) => store.get(kind)!.find((o) => o.metadata.name === name),
    /** Every stored object of `kind`. */
    all: <T extends KubeObject>(kind: Kind) => store.get(kind)! as T[],
    failNextWrite: (err: Error) => (failNext = err),
    /** Adds or replaces an object in the store, as another writer would. */
    put: (obj: KubeObject) => {
      const list = store.get(obj.kind as Kind)!;
      const index = list.findIndex((o) => same(o, obj.metadata as ObjectKey));
      if (index >= 0) list[index] = obj;
      else list.push(obj);
    },
    remove: (kind: Kind, name: string) =>
      store.set(
        kind,
        store.get(kind)!.filter((o) => o.metadata.name !== name),
      ),
  };
}
