import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { ListQuery } from '../registry/list-options.js';
import type { ResourceType } from '../registry/resource.js';
import type { Registry } from '../registry/store.js';
import type { Client, Kind, KindMap, ObjectKey } from './api.js';
import { ResourceExpiredError, type ListWatchSource } from './informer.js';

const plainQuery: ListQuery = { watch: false, allowWatchBookmarks: false };

/** Looks up the served resource of a kind name. */
export type KindLookup = (kind: string) => ResourceType;

export function kindLookup(resources: readonly ResourceType[]): KindLookup {
  const byKind = new Map(resources.map((rt) => [rt.kind, rt]));
  return (kind) => {
    const rt = byKind.get(kind);
    if (!rt) throw new Error(`unknown kind ${kind}`);
    return rt;
  };
}

/**
 * An informer source reading the server's watch cache directly: the same events and
 * resourceVersions as the HTTP watch, without serialization or sockets (the in-process
 * alternative to envtest).
 */
export function localSource(registry: Registry, rt: ResourceType): ListWatchSource {
  return {
    async list() {
      const list = registry.list(rt, undefined, plainQuery);
      return { items: list.items, resourceVersion: list.metadata.resourceVersion };
    },
    async watch(resourceVersion, onEvent, signal) {
      let watcher;
      try {
        watcher = registry.watch(rt, undefined, {
          ...plainQuery,
          watch: true,
          resourceVersion: Number(resourceVersion),
        });
      } catch (err) {
        if (err instanceof StatusError && err.code === 410) throw new ResourceExpiredError(err.message);
        throw err;
      }
      const stop = () => watcher.close();
      signal.addEventListener('abort', stop, { once: true });
      try {
        for (let out = await watcher.next(); out; out = await watcher.next()) {
          if (out.type !== 'BOOKMARK') onEvent(out.type, out.object);
        }
      } finally {
        signal.removeEventListener('abort', stop);
        watcher.close();
      }
    },
  };
}

/**
 * The controllers' client in process: every call goes through the registry, so it is validated,
 * defaulted and subject to optimistic concurrency exactly like an HTTP request. Returned objects
 * are the caller's own copies.
 */
export class LocalClient implements Client {
  constructor(
    private readonly registry: Registry,
    private readonly lookup: KindLookup,
  ) {}

  async get<K extends Kind>(kind: K, key: ObjectKey): Promise<KindMap[K]> {
    return (await this.registry.get(this.lookup(kind), key.namespace, key.name)) as KindMap[K];
  }

  async list<K extends Kind>(
    kind: K,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KindMap[K][]> {
    const list = this.registry.list(this.lookup(kind), opts.namespace, {
      ...plainQuery,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
    });
    return structuredClone(list.items) as KindMap[K][];
  }

  async create<K extends Kind>(
    kind: K,
    obj: KindMap[K] | Omit<KindMap[K], 'apiVersion' | 'kind'>,
  ): Promise<KindMap[K]> {
    const o = obj as KubeObject;
    return (await this.registry.create(this.lookup(kind), o.metadata.namespace, o)) as KindMap[K];
  }

  async update<K extends Kind>(kind: K, obj: KindMap[K]): Promise<KindMap[K]> {
    return (await this.registry.update(
      this.lookup(kind),
      obj.metadata.namespace,
      obj.metadata.name!,
      obj,
      undefined,
    )) as KindMap[K];
  }

  async updateStatus<K extends Kind>(kind: K, obj: KindMap[K]): Promise<KindMap[K]> {
    return (await this.registry.update(
      this.lookup(kind),
      obj.metadata.namespace,
      obj.metadata.name!,
      obj,
      'status',
    )) as KindMap[K];
  }

  async patch<K extends Kind>(
    kind: K,
    key: ObjectKey,
    patch: unknown,
    opts: { subresource?: 'status' } = {},
  ): Promise<KindMap[K]> {
    return (await this.registry.patch(
      this.lookup(kind),
      key.namespace,
      key.name,
      'merge',
      patch,
      opts.subresource,
    )) as KindMap[K];
  }

  async delete<K extends Kind>(kind: K, key: ObjectKey): Promise<boolean> {
    try {
      await this.registry.delete(this.lookup(kind), key.namespace, key.name);
      return true;
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return false;
      throw err;
    }
  }
}
