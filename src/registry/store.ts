import { errors, StatusError, type StatusCause } from '../apimachinery/errors.js';
import { jsonEqual } from '../apimachinery/equal.js';
import { nowTimestamp, type KubeObject } from '../apimachinery/object.js';
import { validateObjectMeta } from '../apimachinery/validation.js';
import { KeyExistsError, type Backend, type KeyValue } from '../storage/interface.js';
import type { CacheHub } from '../watch/hub.js';
import { decodeObject } from '../watch/hub.js';
import type { CacheWatcher } from '../watch/watcher.js';
import { beginAll, type AdmissionHook } from './admission.js';
import { decodeBody, type DecodeOptions } from './decode.js';
import { listPrefix, objectKey, resourcePrefix } from './keys.js';
import { encodeContinue, type ListQuery } from './list-options.js';
import {
  carryUpdateMeta,
  encodeForStorage,
  fillCreateMeta,
  generateName,
  keepAllButStatus,
  keepStatus,
} from './meta.js';
import { applyPatch, type PatchType } from './patching.js';
import { applyConfiguration, recordUpdate } from './apply/apply.js';
import { apiVersionOf, type ResourceType } from './resource.js';
import {
  currentScale,
  decodeScale,
  scaledObject,
  scalePatchMeta,
  scaleSubresourceOf,
  toScale,
  type Scale,
} from './scale.js';
import { compileFilter } from './selection.js';

/** Options every write accepts (query parameters of kube-apiserver writes; `warn` collects its warnings). */
export interface WriteOptions extends Pick<DecodeOptions, 'fieldValidation' | 'warn'> {
  dryRun?: boolean;
  /** Who writes (`?fieldManager=`): recorded as an `Update` entry of `metadata.managedFields`. */
  fieldManager?: string;
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ObjectList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

export interface RegistryOptions {
  now?: () => number;
  /** Admission hooks (allocators) run inside create/update/delete of their kind. */
  admission?: readonly AdmissionHook[];
  /** Most attempts of a guaranteed update that keeps losing compare-and-swap races. */
  maxUpdateAttempts?: number;
  watchQueueLength?: number;
}

/** Subresources the generic store understands; anything else is a 404 for the route layer. */
export type Subresource = 'status' | undefined;

/** The subresource a write goes through: a scale write takes the main resource's path, recorded as `scale`'s. */
type WriteThrough = Subresource | 'scale';

const namespaces = { group: '', plural: 'namespaces' } as const;

/**
 * The generic registry (kube-apiserver's genericregistry.Store): one implementation of every verb
 * for every kind, driven by the kind's `ResourceType`. It alone owns the order in which strategies
 * run, optimistic concurrency, and no-op write elision. Reads of lists and watches come from the
 * watch cache; single-object reads and every write go to storage.
 *
 * Returned objects from `list` are shared with the cache and must not be mutated.
 */
export class Registry {
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly watchQueueLength: number;
  private readonly admission: AdmissionHook[];

  constructor(
    private readonly backend: Backend,
    private readonly hub: CacheHub,
    opts: RegistryOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.maxAttempts = opts.maxUpdateAttempts ?? 16;
    this.watchQueueLength = opts.watchQueueLength ?? 10_000;
    this.admission = [...(opts.admission ?? [])];
  }

  /** Adds admission hooks after start (the test environment adds a test's own; Service's come with `startCore`). */
  addAdmission(...hooks: AdmissionHook[]): void {
    this.admission.push(...hooks);
  }

  async get<T extends KubeObject>(rt: ResourceType<T>, namespace: string | undefined, name: string): Promise<T> {
    const { kv } = await this.backend.get(objectKey(rt, namespace, name));
    if (!kv) throw errors.notFound(rt, name);
    return decodeObject(kv) as T;
  }

  list(rt: ResourceType, namespace: string | undefined, q: ListQuery): ObjectList {
    const cache = this.hub.cache(resourcePrefix(rt));
    const filter = compileFilter(rt, q);
    const revision = q.continue?.revision ?? (q.resourceVersionMatch === 'Exact' ? q.resourceVersion : undefined);
    const atRevision = revision !== undefined && revision < this.hub.currentRevision ? revision : undefined;
    const prefix = listPrefix(rt, namespace);
    let page;
    try {
      page = cache.list({
        prefix,
        filter,
        limit: q.limit,
        afterKey: q.continue ? resourcePrefix(rt) + q.continue.startAfter : undefined,
        atRevision,
      });
    } catch (err) {
      if (err instanceof StatusError && err.code === 410 && q.continue) {
        throw errors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      throw err;
    }
    const listRevision = atRevision ?? this.hub.currentRevision;
    const metadata: ObjectList['metadata'] = { resourceVersion: String(listRevision) };
    if (page.lastKey !== undefined) {
      metadata.continue = encodeContinue({
        revision: listRevision,
        startAfter: page.lastKey.slice(resourcePrefix(rt).length),
      });
      if (!filter) metadata.remainingItemCount = page.remaining;
    }
    return { apiVersion: apiVersionOf(rt), kind: `${rt.kind}List`, metadata, items: page.items };
  }

  /** Waits (briefly) until the cache has reached `revision`, for reads at a revision newer than it has seen. */
  async waitForRevision(revision: number | undefined): Promise<void> {
    if (revision !== undefined) await this.hub.waitForRevision(revision);
  }

  /**
   * Opens a watch. Without a resourceVersion (or "0") the watcher first gets the current objects as
   * ADDED; with one, every later event. Throws 410 Expired when that revision is no longer in history.
   */
  watch(rt: ResourceType, namespace: string | undefined, q: ListQuery): CacheWatcher {
    const cache = this.hub.cache(resourcePrefix(rt));
    const rv = q.resourceVersion || undefined;
    const afterRevision =
      q.sendInitialEvents === true ? undefined : q.sendInitialEvents === false ? (rv ?? this.hub.currentRevision) : rv;
    return cache.watch(
      {
        prefix: listPrefix(rt, namespace),
        filter: compileFilter(rt, q),
        afterRevision,
        maxQueue: this.watchQueueLength,
      },
      this.hub.currentRevision,
    );
  }

  get currentRevision(): number {
    return this.hub.currentRevision;
  }

  async create<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    const obj = decodeBody(rt, body, opts);
    this.applyRequestNamespace(rt, obj, namespace);
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = generateName(obj.metadata.generateName!);
    this.checkNamespaceAcceptsContent(rt, obj.metadata.namespace);
    fillCreateMeta(obj.metadata, this.now());
    const txn = await beginAll(this.hooksFor(rt), (h) => h.beginCreate?.(obj, { dryRun: !!opts.dryRun }));
    try {
      rt.strategy.prepareForCreate?.(obj);
      this.assertValid(rt, obj, rt.strategy.validate(obj));
      rt.strategy.canonicalize?.(obj);
      if (opts.fieldManager) recordUpdate(obj, undefined, this.managerOptions(rt, opts.fieldManager));
      if (opts.dryRun) {
        await txn.revert();
        return obj;
      }
      await this.storeNew(rt, obj, generated);
    } catch (err) {
      await txn.revert();
      throw err;
    }
    await txn.commit();
    return obj;
  }

  private async storeNew(rt: ResourceType, obj: KubeObject, generated: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const revision = await this.backend.create(
          objectKey(rt, obj.metadata.namespace, obj.metadata.name!),
          encodeForStorage(obj),
        );
        obj.metadata.resourceVersion = String(revision);
        return;
      } catch (err) {
        if (!(err instanceof KeyExistsError)) throw err;
        if (!generated || attempt >= 4) throw errors.alreadyExists(rt, obj.metadata.name!);
        obj.metadata.name = generateName(obj.metadata.generateName!);
      }
    }
  }

  private managerOptions(rt: ResourceType, manager: string) {
    return { manager, apiVersion: apiVersionOf(rt), now: nowTimestamp(this.now()), meta: rt.strategicMerge };
  }

  private hooksFor(rt: ResourceType): readonly AdmissionHook[] {
    return this.admission.filter((h) => h.kind === rt.kind);
  }

  private async afterDelete(rt: ResourceType, obj: KubeObject): Promise<void> {
    for (const h of this.hooksFor(rt)) await h.afterDelete?.(obj);
  }

  /** PUT: replaces the object (or its status), with optimistic concurrency on `metadata.resourceVersion`. */
  async update<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    body: unknown,
    sub: Subresource,
    opts: WriteOptions = {},
  ): Promise<T> {
    const incoming = decodeBody(rt, body, opts);
    this.applyRequestNamespace(rt, incoming, namespace);
    if (incoming.metadata.name !== name) {
      throw errors.nameMismatch(incoming.metadata.name, name);
    }
    const wantedRV = incoming.metadata.resourceVersion;
    if (!wantedRV && !rt.allowUnconditionalUpdate) {
      throw errors.invalid(rt.kind, rt.group, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    return this.guaranteedUpdate(
      rt,
      namespace,
      name,
      opts,
      (current) => {
        if (wantedRV && wantedRV !== current.metadata.resourceVersion) throw errors.conflict(rt, name);
        return decodeBody(rt, incoming);
      },
      sub,
    );
  }

  /** PATCH: applies the patch to the current object and writes the result like an update (retrying on races). */
  async patch<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    type: Exclude<PatchType, 'apply'>,
    patch: unknown,
    sub: Subresource,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.guaranteedUpdate(
      rt,
      namespace,
      name,
      opts,
      (current) => {
        const patched = applyPatch(type, rt.strategicMerge, current, patch) as KubeObject;
        const next = decodeBody(rt, patched, { ...opts, invalidPatch: type === 'strategic' ? patch : patched });
        if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion)
          throw errors.conflict(rt, name);
        if (next.metadata.name !== name) throw errors.nameMismatch(next.metadata.name, name);
        return next;
      },
      sub,
    );
  }

  /**
   * An action subresource (`pods/<name>/binding`, `namespaces/<name>/finalize`): the kind's
   * `actions[sub].apply` changes the current object inside the update loop. Answers the changed object.
   */
  async act<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    sub: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    const action = rt.actions?.[sub];
    if (!action) throw errors.pathNotFound();
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw errors.badRequest(`the body of the request must be a JSON or YAML object describing a ${action.kind}`);
    const request = body as Record<string, unknown>;
    if (request.kind !== undefined && request.kind !== action.kind)
      throw errors.badRequest(
        `the kind in the data (${String(request.kind)}) does not match the expected kind (${action.kind})`,
      );
    return this.guaranteedUpdate(
      rt,
      namespace,
      name,
      opts,
      (current) => action.apply(structuredClone(current), request),
      action.writesAs,
    );
  }

  /**
   * GET of the `scale` subresource. An object without a desired count is upstream's 500: its kind
   * promised one (`specReplicasPath`) that validation of its writes did not require.
   */
  async getScale(rt: ResourceType, namespace: string | undefined, name: string): Promise<Scale> {
    const scale = scaleSubresourceOf(rt);
    const obj = await this.get(rt, namespace, name);
    const fields = scale.read(obj);
    if (fields.specReplicas === undefined)
      throw errors.internal(`the spec replicas field ${JSON.stringify(scale.specReplicasPath)} does not exist`);
    return toScale(obj, fields);
  }

  /** PUT of the `scale` subresource: only the Scale's desired count reaches the object. Answers the new Scale. */
  async updateScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<Scale> {
    const requested = decodeScale(body, opts);
    return this.writeScale(rt, namespace, name, opts, () => requested);
  }

  /** PATCH of the `scale` subresource: the patch applies to the current Scale, then as `updateScale`. */
  async patchScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    type: Exclude<PatchType, 'apply'>,
    patch: unknown,
    opts: WriteOptions = {},
  ): Promise<Scale> {
    return this.writeScale(rt, namespace, name, opts, (current) => {
      const patched = applyPatch(type, scalePatchMeta, current, patch);
      return decodeScale(patched, { ...opts, invalidPatch: type === 'strategic' ? patch : patched });
    });
  }

  private async writeScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions,
    requested: (current: Scale) => Scale,
  ): Promise<Scale> {
    const scale = scaleSubresourceOf(rt);
    const object = await this.guaranteedUpdate(
      rt,
      namespace,
      name,
      opts,
      (current) => scaledObject(rt, current, requested(currentScale(scale, current)), name),
      'scale',
    );
    return toScale(object, scale.read(object));
  }

  /**
   * Server-side apply (PATCH `application/apply-patch+yaml`): creates the object when it is
   * missing, otherwise merges the manager's applied configuration with field ownership and
   * conflict detection (see apply/apply.ts). Returns whether it created the object.
   */
  async apply<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions & { fieldManager?: string; force?: boolean },
  ): Promise<{ object: T; created: boolean }> {
    if (!opts.fieldManager) throw errors.badRequest('PATCH apply: fieldManager is required for apply requests');
    const applied = appliedConfiguration(rt, body, name);
    const write = { ...opts, fieldManager: undefined };
    const applyOpts = {
      manager: opts.fieldManager,
      force: !!opts.force,
      apiVersion: apiVersionOf(rt),
      meta: rt.strategicMerge,
    };
    const { kv } = await this.backend.get(objectKey(rt, namespace, name));
    if (!kv) {
      const fresh = applyConfiguration(undefined, applied, { ...applyOpts, now: nowTimestamp(this.now()) });
      try {
        return { object: await this.create(rt, namespace, fresh, write), created: true };
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
      }
    }
    const object = await this.guaranteedUpdate(
      rt,
      namespace,
      name,
      write,
      (current) =>
        decodeBody(rt, applyConfiguration(current, applied, { ...applyOpts, now: nowTimestamp(this.now()) }), write),
      undefined,
    );
    return { object, created: false };
  }

  /**
   * DELETE: an object with finalizers only gets a deletionTimestamp (returned with `finished: false`);
   * otherwise it is removed and its last state returned.
   */
  async delete<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<{ object: T; finished: boolean }> {
    const key = objectKey(rt, namespace, name);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { kv } = await this.backend.get(key);
      if (!kv) throw errors.notFound(rt, name);
      const current = decodeObject(kv) as T;
      this.checkPreconditions(rt, current, opts.preconditions);
      if (current.metadata.finalizers?.length || rt.strategy.pendingFinalizers?.(current).length) {
        const marked = await this.markDeleting(rt, current, kv, opts);
        if (marked) return { object: marked, finished: false };
        continue;
      }
      if (opts.dryRun) return { object: current, finished: true };
      const res = await this.backend.delete(key, kv.modRevision);
      if (res.ok) {
        await this.afterDelete(rt, current);
        return { object: current, finished: true };
      }
      if (!res.kv) throw errors.notFound(rt, name);
    }
    throw errors.conflict(rt, name, 'too many concurrent writes, please retry');
  }

  /** Deletes every object a list with the same query would return; answers with the deleted objects. */
  async deleteCollection(
    rt: ResourceType,
    namespace: string | undefined,
    q: ListQuery,
    opts: DeleteOptions = {},
  ): Promise<ObjectList> {
    const list = this.list(rt, namespace, { ...q, limit: undefined, continue: undefined });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push((await this.delete(rt, item.metadata.namespace, item.metadata.name!, opts)).object);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return { ...list, metadata: { resourceVersion: String(this.hub.currentRevision) }, items: deleted };
  }

  /** Sets the deletion timestamp; undefined when another writer won the race (the caller starts over). */
  private async markDeleting<T extends KubeObject>(
    rt: ResourceType<T>,
    current: T,
    kv: KeyValue,
    opts: DeleteOptions,
  ): Promise<T | undefined> {
    if (current.metadata.deletionTimestamp) return current;
    const next = structuredClone(current);
    next.metadata.deletionTimestamp = nowTimestamp(this.now());
    next.metadata.deletionGracePeriodSeconds = 0;
    rt.strategy.prepareForDeletion?.(next);
    if (opts.dryRun) return next;
    const res = await this.backend.update(kv.key, encodeForStorage(next), kv.modRevision);
    if (!res.ok) {
      if (!res.kv) throw errors.notFound(rt, current.metadata.name!);
      return undefined;
    }
    next.metadata.resourceVersion = String(res.revision);
    return next;
  }

  /**
   * The GuaranteedUpdate loop: read the current object, build the candidate with `tryUpdate`, run
   * the strategy, skip the write when nothing changed, and compare-and-swap; on a lost race start
   * over from the new current object (a precondition inside `tryUpdate` turns that into a 409).
   * An object being deleted whose last finalizer this update removes is deleted instead.
   */
  private async guaranteedUpdate<T extends KubeObject>(
    rt: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions,
    tryUpdate: (current: T) => T,
    sub: WriteThrough,
  ): Promise<T> {
    const key = objectKey(rt, namespace, name);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { kv } = await this.backend.get(key);
      if (!kv) throw errors.notFound(rt, name);
      const current = decodeObject(kv) as T;
      const candidate = tryUpdate(current);
      const hooks = sub === 'status' ? [] : this.hooksFor(rt);
      const txn = await beginAll(hooks, (h) => h.beginUpdate?.(candidate, current, { dryRun: !!opts.dryRun }));
      let outcome: { done: boolean; object: T };
      try {
        outcome = await this.writeUpdate(rt, key, kv, candidate, current, sub, opts);
      } catch (err) {
        await txn.revert();
        throw err;
      }
      if (!outcome.done || opts.dryRun) {
        await txn.revert();
        if (outcome.done) return outcome.object;
        continue;
      }
      await txn.commit();
      return outcome.object;
    }
    throw errors.conflict(rt, name, 'too many concurrent writes, please retry');
  }

  /** One compare-and-swap attempt; `done: false` means another writer won the race. */
  private async writeUpdate<T extends KubeObject>(
    rt: ResourceType<T>,
    key: string,
    kv: KeyValue,
    candidate: T,
    current: T,
    sub: WriteThrough,
    opts: WriteOptions,
  ): Promise<{ done: boolean; object: T }> {
    const next = this.prepareUpdate(rt, candidate, current, sub);
    if (opts.fieldManager)
      recordUpdate(next, current, { ...this.managerOptions(rt, opts.fieldManager), subresource: sub });
    if (jsonEqual(withoutRV(next), withoutRV(current))) return { done: true, object: current };
    if (opts.dryRun) return { done: true, object: next };
    const finalized =
      !!next.metadata.deletionTimestamp &&
      !next.metadata.finalizers?.length &&
      !rt.strategy.pendingFinalizers?.(next).length;
    const res = finalized
      ? await this.backend.delete(key, kv.modRevision)
      : await this.backend.update(key, encodeForStorage(next), kv.modRevision);
    if (!res.ok) {
      if (!res.kv) throw errors.notFound(rt, current.metadata.name!);
      return { done: false, object: next };
    }
    next.metadata.resourceVersion = String(res.revision);
    if (finalized) await this.afterDelete(rt, next);
    return { done: true, object: next };
  }

  private prepareUpdate<T extends KubeObject>(rt: ResourceType<T>, candidate: T, current: T, sub: WriteThrough): T {
    this.applyRequestNamespace(rt, candidate, current.metadata.namespace);
    let next = candidate;
    if (sub === 'status') {
      next = keepAllButStatus(candidate, current) as T;
      rt.strategy.prepareForStatusUpdate?.(next, candidate);
    } else if (rt.hasStatus) keepStatus(next, current);
    carryUpdateMeta(next, current);
    if (sub !== 'status') rt.strategy.prepareForUpdate?.(next, current);
    const causes = [...rt.strategy.validate(next), ...(rt.strategy.validateUpdate?.(next, current) ?? [])];
    this.assertValid(rt, next, causes);
    rt.strategy.canonicalize?.(next);
    return next;
  }

  private assertValid(rt: ResourceType, obj: KubeObject, strategyCauses: StatusCause[]): void {
    const causes = [
      ...validateObjectMeta(obj.metadata, { namespaced: rt.namespaced, nameRule: rt.nameRule ?? 'subdomain' }),
      ...strategyCauses,
    ];
    if (causes.length)
      throw errors.invalid(rt.kind, rt.group, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
  }

  /** The URL's namespace wins; a different one in the body is a 400; cluster-scoped objects have none. */
  private applyRequestNamespace(rt: ResourceType, obj: KubeObject, namespace: string | undefined): void {
    if (!rt.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
  }

  /** NamespaceLifecycle admission: content needs an existing namespace that is not being deleted. */
  private checkNamespaceAcceptsContent(rt: ResourceType, namespace: string | undefined): void {
    if (!rt.namespaced || !namespace) return;
    const ns = this.hub.cache(resourcePrefix(namespaces)).get(`${resourcePrefix(namespaces)}${namespace}`);
    if (!ns) throw errors.notFound(namespaces, namespace);
    if (ns.metadata.deletionTimestamp) throw errors.namespaceTerminating(namespace);
  }

  private checkPreconditions(rt: ResourceType, current: KubeObject, pre: DeleteOptions['preconditions']): void {
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw errors.conflict(
        rt,
        current.metadata.name!,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(
        rt,
        current.metadata.name!,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`,
      );
    }
  }
}

/** An apply body: a JSON object of the URL's kind whose name, if given, is the URL's. */
function appliedConfiguration(rt: ResourceType, body: unknown, name: string): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.badRequest('the apply body must be an object');
  const applied = body as KubeObject;
  if (applied.apiVersion !== apiVersionOf(rt) || applied.kind !== rt.kind) {
    throw errors.badRequest(
      `apply: the body's apiVersion and kind (${String(applied.apiVersion)}, ${String(applied.kind)}) must be ${apiVersionOf(rt)}, ${rt.kind}`,
    );
  }
  const metadata = typeof applied.metadata === 'object' && applied.metadata !== null ? applied.metadata : {};
  if (metadata.name !== undefined && metadata.name !== name) {
    throw errors.nameMismatch(metadata.name, name);
  }
  return { ...applied, metadata: { ...metadata, name } };
}

function withoutRV(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}
