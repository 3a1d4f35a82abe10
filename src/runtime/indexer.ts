import type { KubeObject } from '../apimachinery/object.js';
import { keyString, type Lister, type ObjectKey } from './api.js';

import type { IndexFunc } from '../registry/resource.js';

export type { IndexFunc };

/** The namespace index every informer has (client-go `NamespaceIndex`). */
const namespaceIndex = 'namespace';

/** Every informer also indexes objects by each `key=value` label pair, for selector lookups. */
const labelIndex = 'labels';

/**
 * The informer's local store: objects by `namespace/name` plus named indexes kept in step
 * (client-go's thread-safe store + Indexer). Objects are shared with the watch cache and must not
 * be mutated.
 */
export class Indexer<T extends KubeObject = KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, { fn: IndexFunc; byValue: Map<string, Set<string>> }>();

  constructor(indexFuncs: Readonly<Record<string, IndexFunc>> = {}) {
    const all: Record<string, IndexFunc> = {
      [namespaceIndex]: (o) => (o.metadata.namespace ? [o.metadata.namespace] : []),
      [labelIndex]: (o) => Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`),
      ...indexFuncs,
    };
    for (const [name, fn] of Object.entries(all)) this.indexes.set(name, { fn, byValue: new Map() });
  }

  /** Adds or replaces an object; returns the previous one. */
  upsert(obj: T): T | undefined {
    const key = keyString({ namespace: obj.metadata.namespace, name: obj.metadata.name! });
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    return old;
  }

  remove(obj: KubeObject): T | undefined {
    const key = keyString({ namespace: obj.metadata.namespace, name: obj.metadata.name! });
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replaces the whole content (after a relist); returns what disappeared. */
  replace(objs: readonly T[]): T[] {
    const incoming = new Set(objs.map((o) => keyString({ namespace: o.metadata.namespace, name: o.metadata.name! })));
    const gone = [...this.items.entries()].filter(([k]) => !incoming.has(k)).map(([, o]) => o);
    for (const o of gone) this.remove(o);
    for (const o of objs) this.upsert(o);
    return gone;
  }

  get(key: ObjectKey): T | undefined {
    return this.items.get(keyString(key));
  }

  /**
   * Objects of a namespace (or all) whose labels include every pair of `labels`. With labels, the
   * candidates come from the label index (the rarest pair), so a Service's pods are found without
   * scanning every pod.
   */
  list(opts: { namespace?: string; labels?: Readonly<Record<string, string>> } = {}): readonly T[] {
    const wanted = Object.entries(opts.labels ?? {});
    const inNamespace = (o: T) => opts.namespace === undefined || o.metadata.namespace === opts.namespace;
    if (wanted.length === 0)
      return opts.namespace === undefined ? [...this.items.values()] : this.byIndex(namespaceIndex, opts.namespace);
    const pairs = this.indexes.get(labelIndex)!.byValue;
    let rarest: Set<string> | undefined;
    for (const [k, v] of wanted) {
      const keys = pairs.get(`${k}=${v}`);
      if (!keys) return [];
      if (!rarest || keys.size < rarest.size) rarest = keys;
    }
    const out: T[] = [];
    for (const key of rarest!) {
      const o = this.items.get(key)!;
      if (inNamespace(o) && wanted.every(([k, v]) => o.metadata.labels?.[k] === v)) out.push(o);
    }
    return out;
  }

  byIndex(name: string, value: string): readonly T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index named ${name}`);
    const keys = index.byValue.get(value);
    return keys ? [...keys].map((k) => this.items.get(k)!) : [];
  }

  get size(): number {
    return this.items.size;
  }

  private index(key: string, obj: T): void {
    for (const { fn, byValue } of this.indexes.values()) {
      for (const v of fn(obj)) {
        let set = byValue.get(v);
        if (!set) byValue.set(v, (set = new Set()));
        set.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const { fn, byValue } of this.indexes.values()) {
      for (const v of fn(obj)) {
        const set = byValue.get(v);
        set?.delete(key);
        if (set?.size === 0) byValue.delete(v);
      }
    }
  }
}
