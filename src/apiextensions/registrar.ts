/**
 * Serves the kinds CustomResourceDefinitions define: the API server's own work, upstream split over
 * apiextensions-apiserver's NamingConditionController (pkg/controller/status/naming_controller.go),
 * EstablishingController (pkg/controller/establish) and finalizer controller
 * (pkg/controller/finalizer/crd_finalizer.go).
 *
 * A CRD's names are checked against every kind served in its group; accepted, its kind is
 * registered (routes, discovery, OpenAPI) and the status says NamesAccepted and Established. A
 * CRD create or spec update does this before its response is sent, so objects of the kind can be
 * created right after (`kubectl apply -f` of a file holding a CRD and its objects); the watch of
 * CRDs catches every other change. A deleted CRD's objects are deleted, then its kind unregistered
 * and its cleanup finalizer removed.
 */
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { semanticEqual } from '../apimachinery/validation.js';
import type { AdmissionHook, Txn } from '../registry/admission.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import {
  CUSTOM_RESOURCE_CLEANUP_FINALIZER,
  customResourceDefinitions,
} from '../registry/kinds/customresourcedefinition/index.js';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionStatus,
} from '../registry/kinds/customresourcedefinition/schema.js';
import type { ListQuery } from '../registry/list-options.js';
import type { ResourceType } from '../registry/resource.js';
import type { Registry } from '../registry/store.js';
import type { Condition } from '../../schemas/meta.js';
import { namesAcceptance, type NamesAcceptance } from './naming.js';
import { customKind } from './custom-kind.js';

/** What the registrar needs of the core: the served kinds and how to add and remove one. */
export interface KindServing {
  kinds: KindRegistry;
  registerKind(rt: ResourceType): Promise<void>;
  unregisterKind(rt: ResourceType): void;
}

const plainQuery: ListQuery = { watch: false, allowWatchBookmarks: false };

/** How long a deleted CRD waits before looking again at objects whose own finalizers hold them. */
const CLEANUP_RETRY_MS = 1000;

/**
 * Contract: `start()` serves every stored CRD's kind before it resolves, then follows CRD changes
 * until the watch cache stops. Reconciliations run one at a time; `admission` makes CRD writes
 * wait for theirs.
 */
export class CrdRegistrar {
  private readonly served = new Map<string, { rt: ResourceType; spec: string }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: Registry,
    private readonly serving: KindServing,
  ) {}

  /** Runs after a CRD create or spec change is stored, before the response: the kind is served by then. */
  readonly admission: AdmissionHook<CustomResourceDefinition> = {
    name: 'CustomResourceDefinitionEstablishing',
    kind: customResourceDefinitions.kind,
    beginCreate: async (crd, { dryRun }) => (dryRun ? undefined : this.syncOnCommit(crd)),
    beginUpdate: async (crd, old, { dryRun }) =>
      dryRun || semanticEqual(crd.spec, old.spec) ? undefined : this.syncOnCommit(crd),
  };

  async start(): Promise<void> {
    const list = this.registry.list(customResourceDefinitions, undefined, plainQuery);
    for (const crd of list.items) await this.sync(crd.metadata.name!);
    void this.follow(Number(list.metadata.resourceVersion));
  }

  /** Reconciles one CRD by name, after those queued before it; never rejects. */
  sync(name: string): Promise<void> {
    const run = this.queue.then(() => this.reconcile(name)).catch(() => undefined);
    this.queue = run;
    return run;
  }

  private syncOnCommit(crd: CustomResourceDefinition): Txn {
    return { commit: () => this.sync(crd.metadata.name!), revert: () => undefined };
  }

  private async follow(resourceVersion: number): Promise<void> {
    const watcher = this.registry.watch(customResourceDefinitions, undefined, {
      ...plainQuery,
      watch: true,
      resourceVersion,
    });
    for (let out = await watcher.next(); out; out = await watcher.next()) {
      if (out.type !== 'BOOKMARK') void this.sync(out.object.metadata.name!);
    }
    // A watcher that fell behind is closed; anything else means the server is stopping.
    if (watcher.closeReason === 'slow') await this.start();
  }

  private async reconcile(name: string): Promise<void> {
    const crd = await this.read(name);
    if (!crd) return this.stopServing(name);
    if (crd.metadata.deletionTimestamp) return this.cleanUp(crd);
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    const acceptance = namesAcceptance(crd, this.otherKindsOfGroup(crd), established);
    if (acceptance.accepted) await this.serve(crd);
    await this.writeStatus(crd, acceptance);
  }

  private async read(name: string): Promise<CustomResourceDefinition | undefined> {
    try {
      return await this.registry.get(customResourceDefinitions, undefined, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  private otherKindsOfGroup(crd: CustomResourceDefinition): ResourceType[] {
    const own = this.served.get(crd.metadata.name!)?.rt;
    return this.serving.kinds.all().filter((rt) => rt.group === crd.spec.group && rt !== own);
  }

  private async serve(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    const spec = JSON.stringify(crd.spec);
    if (this.served.get(name)?.spec === spec) return;
    this.stopServing(name);
    const rt = customKind(crd);
    await this.serving.registerKind(rt);
    this.served.set(name, { rt, spec });
  }

  private stopServing(name: string): void {
    const entry = this.served.get(name);
    if (!entry) return;
    this.serving.unregisterKind(entry.rt);
    this.served.delete(name);
  }

  private async writeStatus(crd: CustomResourceDefinition, acceptance: NamesAcceptance): Promise<void> {
    const old = crd.status ?? {};
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = acceptance.conditions.map((c) => withTransitionTime(c, old.conditions, now));
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    const stored = old.storedVersions ?? [];
    const status: CustomResourceDefinitionStatus = {
      conditions,
      acceptedNames: acceptance.accepted ? crd.spec.names : (old.acceptedNames ?? { plural: '', kind: '' }),
      storedVersions: acceptance.accepted && storage && !stored.includes(storage) ? [...stored, storage] : stored,
    };
    if (JSON.stringify(status) === JSON.stringify(old)) return;
    await this.registry.update(customResourceDefinitions, undefined, crd.metadata.name!, { ...crd, status }, 'status');
  }

  /** Deletes the kind's objects; once none is left, stops serving it and releases the CRD. */
  private async cleanUp(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    const rt = this.served.get(name)?.rt;
    if (rt) {
      await this.registry.deleteCollection(rt, undefined, plainQuery);
      if (this.registry.list(rt, undefined, plainQuery).items.length) {
        setTimeout(() => void this.sync(name), CLEANUP_RETRY_MS).unref();
        return;
      }
    }
    this.stopServing(name);
    const finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER);
    await this.registry.update(
      customResourceDefinitions,
      undefined,
      name,
      {
        ...crd,
        metadata: { ...crd.metadata, finalizers },
      } as KubeObject,
      undefined,
    );
  }
}

/** A condition keeps its transition time while its status stays the same. */
function withTransitionTime(c: Condition, old: readonly Condition[] | undefined, now: string): Condition {
  const previous = old?.find((o) => o.type === c.type);
  const lastTransitionTime = previous?.status === c.status ? previous.lastTransitionTime : now;
  return { ...c, lastTransitionTime };
}
