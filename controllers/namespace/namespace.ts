/**
 * The namespace controller (`namespace` in `--controllers`; pkg/controller/namespace/deletion).
 * A Namespace with a deletionTimestamp:
 *
 * 1. gets `status.phase: Terminating`;
 * 2. has every object of every namespaced kind deleted (objects held by finalizers stay until their
 *    owners remove them), with upstream's five deletion conditions on the Namespace
 *    (NamespaceContentRemaining "Some resources are remaining: pods. has 2 resource instances", …);
 * 3. once empty, loses its `kubernetes` spec finalizer ("finalize"); the registry then deletes it
 *    (kube-apiserver deletes a terminating namespace when both metadata.finalizers and
 *    spec.finalizers are empty).
 *
 * Registry gap: there is no `namespaces/<n>/finalize` subresource and the Namespace strategy keeps
 * spec.finalizers on every update, so {@link finalizeNamespace} goes through the status subresource,
 * which the registry must be taught to accept for this field (see the report). And the registry's
 * delete currently removes a Namespace at once (it only looks at metadata.finalizers), so this
 * controller also cleans up after a Namespace that vanished while content remained in it.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { jsonEqual } from '../../src/apimachinery/equal.js';
import { nowTimestamp, type KubeObject } from '../../src/apimachinery/object.js';
import { storedKinds } from '../../src/registry/kinds/index.js';
import { KUBERNETES_FINALIZER } from '../../src/registry/kinds/namespace/index.js';
import {
  defineController,
  watchKind,
  type Kind,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Watch,
} from '../../src/runtime/api.js';
import type { Namespace } from '../../src/registry/kinds/namespace/schema.js';
import { mergeConditions } from '../common/conditions.js';

/** How soon a namespace whose content is not gone yet is looked at again (watches usually come first). */
export const CONTENT_RETRY_MS = 5_000;

/**
 * Every namespaced kind the API stores, with the `resource.group` name upstream's messages use
 * (`pods.`, `ingresses.networking.k8s.io`): derived from the list of kinds, so a new kind's objects
 * go with their namespace too.
 */
const NAMESPACED_KINDS: ReadonlyMap<Kind, string> = new Map(
  storedKinds.filter((rt) => rt.namespaced).map((rt) => [rt.kind, `${rt.plural}.${rt.group}`]),
);
const KINDS = [...NAMESPACED_KINDS.keys()];

/** What deleting a namespace's content left behind. */
interface ContentTotals {
  /** Remaining objects per `resource.group`. */
  remaining: Map<string, number>;
  /** Remaining objects per finalizer that holds them. */
  finalizers: Map<string, number>;
  /** Delete failures other than "already gone", one message each. */
  errors: string[];
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}

async function deleteKind(
  ctx: Pick<ReconcileContext, 'client'>,
  kind: Kind,
  namespace: string,
  totals: ContentTotals,
): Promise<void> {
  const resource = NAMESPACED_KINDS.get(kind) ?? kind;
  for (const item of await ctx.client.list(kind, { namespace })) {
    try {
      await ctx.client.delete(kind, { namespace, name: item.metadata.name! });
    } catch (err) {
      if (!isNotFound(err)) totals.errors.push(`${resource}: ${(err as Error).message}`);
    }
  }
  for (const item of (await ctx.client.list(kind, { namespace })) as KubeObject[]) {
    increment(totals.remaining, resource);
    for (const finalizer of item.metadata.finalizers ?? []) increment(totals.finalizers, finalizer);
  }
}

/** Deletes every namespaced object in `namespace` and reports what is left. */
async function deleteAllContent(ctx: Pick<ReconcileContext, 'client'>, namespace: string): Promise<ContentTotals> {
  const totals: ContentTotals = { remaining: new Map(), finalizers: new Map(), errors: [] };
  for (const kind of KINDS) await deleteKind(ctx, kind, namespace, totals);
  return totals;
}

type NamespaceCondition = NonNullable<Namespace['status']['conditions']>[number];

function describe(counts: Map<string, number>, format: (key: string, n: number) => string): string {
  return [...counts]
    .map(([key, n]) => format(key, n))
    .sort()
    .join(', ');
}

/** Upstream's five deletion conditions (status_condition_utils.go), "ok" variants when nothing is wrong. */
function deletionConditions(totals: ContentTotals): NamespaceCondition[] {
  const ok = (type: string, reason: string, message: string): NamespaceCondition => ({
    type,
    status: 'False',
    reason,
    message,
  });
  const failing = (type: string, reason: string, message: string): NamespaceCondition => ({
    type,
    status: 'True',
    reason,
    message,
  });
  const errors = [...totals.errors].sort();
  return [
    ok('NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'),
    ok(
      'NamespaceDeletionGroupVersionParsingFailure',
      'ParsedGroupVersions',
      'All legacy kube types successfully parsed',
    ),
    errors.length
      ? failing(
          'NamespaceDeletionContentFailure',
          'ContentDeletionFailed',
          `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(', ')}`,
        )
      : ok(
          'NamespaceDeletionContentFailure',
          'ContentDeleted',
          'All content successfully deleted, may be waiting on finalization',
        ),
    totals.remaining.size
      ? failing(
          'NamespaceContentRemaining',
          'SomeResourcesRemain',
          `Some resources are remaining: ${describe(totals.remaining, (r, n) => `${r} has ${n} resource instances`)}`,
        )
      : ok('NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'),
    totals.finalizers.size
      ? failing(
          'NamespaceFinalizersRemaining',
          'SomeFinalizersRemain',
          `Some content in the namespace has finalizers remaining: ${describe(totals.finalizers, (f, n) => `${f} in ${n} resource instances`)}`,
        )
      : ok('NamespaceFinalizersRemaining', 'ContentRemoved', 'All content successfully removed'),
  ];
}

/** Sets `status.phase: Terminating` if needed (upstream `updateNamespaceStatusFunc`); returns the current namespace. */
async function markTerminating(ctx: ReconcileContext, ns: Namespace): Promise<Namespace> {
  if (ns.status.phase === 'Terminating') return ns;
  return ctx.client.updateStatus('Namespace', { ...ns, status: { ...ns.status, phase: 'Terminating' } });
}

/** Writes the deletion conditions unless the namespace already reports exactly those. */
async function reportConditions(ctx: ReconcileContext, ns: Namespace, totals: ContentTotals): Promise<void> {
  const conditions = mergeConditions(ns.status.conditions, deletionConditions(totals), nowTimestamp(ctx.now()));
  if (jsonEqual(conditions, ns.status.conditions)) return;
  await ctx.client.updateStatus('Namespace', { ...ns, status: { ...ns.status, conditions } });
}

/**
 * Removes the `kubernetes` spec finalizer (upstream `PUT namespaces/<n>/finalize`). Goes through the
 * status subresource until the registry has a finalize subresource; a 404 means the namespace is gone.
 */
async function finalizeNamespace(ctx: Pick<ReconcileContext, 'client'>, ns: Namespace): Promise<void> {
  const finalizers = (ns.spec.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
  try {
    await ctx.client.patch(
      'Namespace',
      { name: ns.metadata.name! },
      { spec: { finalizers } },
      { subresource: 'status' },
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Content of a namespace the registry already removed: deleted once storage confirms the namespace is gone. */
async function deleteOrphanedContent(ctx: ReconcileContext, key: ObjectKey): Promise<void> {
  try {
    await ctx.client.get('Namespace', key);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const totals = await deleteAllContent(ctx, key.name);
  if (totals.errors.length)
    throw new Error(`deleting content of removed namespace ${key.name}: ${totals.errors.join(', ')}`);
}

/** Maps an object to its namespace's key when that namespace is terminating or unknown. */
function namespaceNeedingCleanup(kind: Kind): Watch {
  return watchKind(kind, (obj, { listers }) => {
    const name = obj.metadata.namespace;
    if (!name) return [];
    const ns = listers.Namespace.get({ name });
    return !ns || ns.metadata.deletionTimestamp ? [{ name }] : [];
  });
}

/** The namespace controller. */
export function namespaceController(): Reconciler<'Namespace'> {
  return defineController({
    name: 'namespace',
    for: 'Namespace',
    watches: KINDS.map(namespaceNeedingCleanup),
    async reconcile(ctx, key) {
      const ns = ctx.listers.Namespace.get(key);
      if (!ns) return deleteOrphanedContent(ctx, key);
      if (!ns.metadata.deletionTimestamp || !ns.spec.finalizers?.includes(KUBERNETES_FINALIZER)) return;
      const terminating = await markTerminating(ctx, ns);
      const totals = await deleteAllContent(ctx, key.name);
      await reportConditions(ctx, terminating, totals);
      if (totals.remaining.size) return { requeueAfterMs: CONTENT_RETRY_MS };
      await finalizeNamespace(ctx, ns);
    },
  });
}
