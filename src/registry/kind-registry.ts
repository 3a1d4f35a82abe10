/**
 * The kinds a running server serves. Routes, discovery, OpenAPI and protobuf decoding read kinds
 * from here on every request, so a kind registered or removed while serving (one a
 * CustomResourceDefinition defines, see src/apiextensions/registrar.ts) appears in or leaves all of them at once.
 */
import { apiVersionOf, type ResourceType } from './resource.js';

/** A change to the served kinds. */
export interface KindChange {
  type: 'added' | 'removed';
  kind: ResourceType;
}

/**
 * Contract: a kind is identified by its group, version and plural (its URL), and by its apiVersion
 * and kind name (its objects); both must be free when it is added. `all()` keeps registration order,
 * which is discovery's order. `generation` grows on every change, so derived documents can be cached
 * until it moves. Listeners run synchronously after each change.
 */
export class KindRegistry {
  private readonly byResourceKey = new Map<string, ResourceType>();
  private readonly byTypeKey = new Map<string, ResourceType>();
  private readonly listeners = new Set<(change: KindChange) => void>();
  private changes = 0;

  constructor(initial: readonly ResourceType[] = []) {
    for (const rt of initial) this.add(rt);
  }

  /** Every served kind, in registration order. */
  all(): readonly ResourceType[] {
    return [...this.byResourceKey.values()];
  }

  /** How many times the set of kinds has changed. */
  get generation(): number {
    return this.changes;
  }

  /** The kind served at `/apis/<group>/<version>/<plural>` (`/api/v1/<plural>` for the core group). */
  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byResourceKey.get(resourceKey(group, version, plural));
  }

  /** The kind of objects that say `apiVersion` and `kind`. */
  byType(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byTypeKey.get(typeKey(apiVersion, kind));
  }

  /** Serves one more kind; throws when its URL or its type is taken. */
  add(rt: ResourceType): void {
    const resource = resourceKey(rt.group, rt.version, rt.plural);
    const type = typeKey(apiVersionOf(rt), rt.kind);
    if (this.byResourceKey.has(resource)) throw new Error(`${rt.plural}.${rt.group}/${rt.version} is already served`);
    if (this.byTypeKey.has(type)) throw new Error(`${type} is already served`);
    this.byResourceKey.set(resource, rt);
    this.byTypeKey.set(type, rt);
    this.changed({ type: 'added', kind: rt });
  }

  /** Stops serving a kind; false when it was not served. */
  remove(rt: ResourceType): boolean {
    const resource = resourceKey(rt.group, rt.version, rt.plural);
    if (this.byResourceKey.get(resource) !== rt) return false;
    this.byResourceKey.delete(resource);
    this.byTypeKey.delete(typeKey(apiVersionOf(rt), rt.kind));
    this.changed({ type: 'removed', kind: rt });
    return true;
  }

  /**
   * A value computed from the served kinds (discovery documents, OpenAPI): `compute` runs on first
   * use and again only after the kinds changed.
   */
  derived<T>(compute: (kinds: readonly ResourceType[]) => T): () => T {
    let cached: { generation: number; value: T } | undefined;
    return () => {
      if (cached?.generation !== this.changes) cached = { generation: this.changes, value: compute(this.all()) };
      return cached.value;
    };
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: (change: KindChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(change: KindChange): void {
    this.changes++;
    for (const listener of this.listeners) listener(change);
  }
}

function resourceKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

function typeKey(apiVersion: string, kind: string): string {
  return `${apiVersion}, Kind=${kind}`;
}
