/**
 * The GCE Ingress controller (`ingress` in `--controllers`; ingress-gce's loadbalancer-controller;
 * see docs/network-model.md#ingress). For each Ingress it handles (`class.ts`):
 *
 * - translates it into a URL map (`buildUrlMap`); each translation error becomes one Warning
 *   Event `Translate` on the Ingress (`warnings.ts`);
 * - keeps a ForwardingRule `k8s-fw-<ns>-<name>--<uid>` with an address from the shared
 *   load-balancer pool (the rule's existing address is kept across restarts), TCP 80 (and 443 with
 *   `spec.tls`), the URL map with its name and every node as `spec.target.urlMap`, labels naming
 *   the Ingress, and each node's health in `status.backends` (Ready and not being deleted);
 * - keeps the cluster's single firewall `k8s-fw-l7--<uid>` open from Google's front-end ranges to
 *   every backend nodePort of every handled Ingress, and deletes it when none needs it;
 * - then, and only then, publishes the address in the Ingress's `status.loadBalancer.ingress`.
 *
 * An Ingress that is deleted or stops being handled loses its ForwardingRule, its address and its
 * ports in the firewall. Nothing uses finalizers: ForwardingRules are labelled with their Ingress,
 * so the informers' initial lists after a restart reconcile the Ingress of every rule, and orphans
 * are found. Hand edits and deletions of the rule or the firewall are put back. Services, Nodes and
 * IngressClasses are watched, so their changes re-translate the Ingresses concerned.
 *
 * Queue keys: an Ingress key `namespace/name`; a key without namespace (queued by Firewall events)
 * only syncs the shared firewall, which must be deleted even when no Ingress is left to reconcile.
 */
import {
  keyOf,
  keyString,
  defineController,
  watchKind,
  type Listers,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from '../../src/runtime/api.js';
import { ingressForwardingRuleName, l7FirewallName } from '../../src/dataplane/gce-names.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import type { IngressClass } from '../../src/registry/kinds/ingressclass/schema.js';
import type { LoadBalancerIPPool } from '../common/ip-pool.js';
import {
  deleteForwardingRules,
  ensureBackends,
  ensureForwardingRule,
  ensureIngressAddress,
  removeIngressAddresses,
  syncL7Firewall,
} from './cloud.js';
import { findClusterUID, isHandled, referencedServices, rulesOfIngress, translate } from './cluster.js';
import { backendsHealth, desiredForwardingRule, labelledIngress, sortedNodeNames } from './desired.js';
import { IngressWarnings, type IngressWarning } from './warnings.js';

/** What the Ingress controller needs from the server. */
export interface IngressControllerOptions {
  /** `loadBalancerIPPool`, shared with the network-LB controller. */
  ipPool: LoadBalancerIPPool;
}

/** Reason of the Warning Event for each translation error (ingress-gce's `Translate`). */
const TRANSLATE_REASON = 'Translate';
/** Reason of the Warning Event when the pool has no address left. */
const IP_ALLOCATION_REASON = 'IPAllocationFailed';
/** How often an Ingress waiting for an address retries, for addresses freed without a ForwardingRule event. */
const IP_RETRY_MS = 10_000;

/** The pool owner key of an Ingress (the network-LB controller keys by `svc/…`). */
function ipOwner(key: ObjectKey): string {
  return `ingress/${keyString(key)}`;
}

function clusterUIDOrThrow(listers: Pick<Listers, 'Namespace'>): string {
  const uid = findClusterUID(listers);
  if (!uid) throw new Error('the kube-system Namespace, whose uid names the cluster, is not in the cache yet');
  return uid;
}

/** Ingresses in the Service's namespace whose rules or default backend name it. */
function ingressesReferencing(svc: Service, listers: Pick<Listers, 'Ingress'>): ObjectKey[] {
  const ingresses = listers.Ingress.list({ namespace: svc.metadata.namespace });
  return ingresses.filter((ing) => referencedServices(ing).has(svc.metadata.name!)).map(keyOf);
}

function ingressesOfClass(cls: IngressClass, listers: Pick<Listers, 'Ingress'>): ObjectKey[] {
  return listers.Ingress.list()
    .filter((ing) => ing.spec.ingressClassName === cls.metadata.name)
    .map(keyOf);
}

/**
 * The Ingress a rule's labels name, any whose rule would carry its name, and handled ones still
 * without a rule: a change of any rule (also the network-LB controller's) may have freed an address.
 */
function ingressesOfRule(
  fr: ForwardingRule,
  listers: Pick<Listers, 'Ingress' | 'IngressClass' | 'Namespace' | 'ForwardingRule'>,
): ObjectKey[] {
  const labelled = labelledIngress(fr);
  const uid = findClusterUID(listers);
  const concerned = !uid
    ? []
    : listers.Ingress.list().filter((ing) => {
        const name = ingressForwardingRuleName(ing.metadata.namespace!, ing.metadata.name!, uid);
        return name === fr.metadata.name || (!listers.ForwardingRule.get({ name }) && isHandled(ing, listers));
      });
  const keys = new Map<string, ObjectKey>(concerned.map((ing) => [keyString(keyOf(ing)), keyOf(ing)]));
  if (labelled) keys.set(keyString(labelled), labelled);
  return [...keys.values()];
}

/** The key that syncs the shared firewall, for events of that firewall. */
function firewallKey(name: string, listers: Pick<Listers, 'Namespace'>): ObjectKey[] {
  const uid = findClusterUID(listers);
  return uid && name === l7FirewallName(uid) ? [{ name }] : [];
}

/** An address for the Ingress: its rule's current one when still valid and free, else the pool's pick. */
function allocateIP(
  pool: LoadBalancerIPPool,
  listers: Pick<Listers, 'ForwardingRule'>,
  key: ObjectKey,
  ruleName: string,
): string | undefined {
  const others = listers.ForwardingRule.list().filter((fr) => fr.metadata.name !== ruleName);
  const inUse = new Set(others.map((fr) => fr.spec.ipAddress).filter(Boolean));
  const kept = listers.ForwardingRule.get({ name: ruleName })?.spec.ipAddress;
  return (kept && pool.allocate(ipOwner(key), inUse, kept)) || pool.allocate(ipOwner(key), inUse);
}

/** The GCE Ingress controller, keyed by Ingress (module comment). */
export function ingressController(opts: IngressControllerOptions): Reconciler<'Ingress'> {
  const warnings = new IngressWarnings();

  /** Brings the cloud objects of a handled Ingress to what it asks for. */
  async function ensureIngress(ctx: ReconcileContext, ing: Ingress, clusterUID: string): Promise<Result | void> {
    const key = keyOf(ing);
    const urlMap = translate(ing, ctx.listers, clusterUID);
    const ruleName = ingressForwardingRuleName(key.namespace!, key.name, clusterUID);
    await deleteForwardingRules(
      ctx,
      rulesOfIngress(ctx.listers, key, clusterUID).filter((fr) => fr.metadata.name !== ruleName),
    );
    const ip = allocateIP(opts.ipPool, ctx.listers, key, ruleName);
    const problems: IngressWarning[] = urlMap.errors.map((message) => ({ reason: TRANSLATE_REASON, message }));
    if (!ip)
      problems.push({ reason: IP_ALLOCATION_REASON, message: 'no free address left in the load-balancer IP pool' });
    await warnings.report(ctx, ing, problems);
    if (!ip) return { requeueAfterMs: IP_RETRY_MS };
    const nodes = ctx.listers.Node.list();
    const desired = desiredForwardingRule(ing, urlMap, clusterUID, ip, sortedNodeNames(nodes));
    const rule = await ensureForwardingRule(ctx, ctx.listers.ForwardingRule.get({ name: ruleName }), desired);
    if (!rule) return;
    await ensureBackends(ctx, rule, backendsHealth(nodes));
    await syncL7Firewall(ctx, clusterUID);
    await ensureIngressAddress(ctx, ing, ip);
  }

  /** Removes what the controller made for `key` (an Ingress gone, being deleted, or of another class). */
  async function releaseIngress(
    ctx: ReconcileContext,
    key: ObjectKey,
    ing: Ingress | undefined,
    clusterUID: string,
  ): Promise<void> {
    const released = await deleteForwardingRules(ctx, rulesOfIngress(ctx.listers, key, clusterUID));
    opts.ipPool.release(ipOwner(key));
    warnings.forget(keyString(key));
    await syncL7Firewall(ctx, clusterUID);
    if (ing && !ing.metadata.deletionTimestamp) await removeIngressAddresses(ctx, ing, released);
  }

  return defineController({
    name: 'ingress',
    for: 'Ingress',
    watches: [
      watchKind('Service', (svc, { listers }) => ingressesReferencing(svc, listers)),
      watchKind('Node', (_node, { listers }) => listers.Ingress.list().map(keyOf)),
      watchKind('IngressClass', (cls, { listers }) => ingressesOfClass(cls, listers)),
      watchKind('ForwardingRule', (fr, { listers }) => ingressesOfRule(fr, listers)),
      watchKind('Firewall', (fw, { listers }) => firewallKey(fw.metadata.name!, listers)),
    ],
    async reconcile(ctx, key) {
      const clusterUID = clusterUIDOrThrow(ctx.listers);
      if (!key.namespace) return syncL7Firewall(ctx, clusterUID);
      const ing = ctx.listers.Ingress.get(key);
      if (ing && isHandled(ing, ctx.listers)) return ensureIngress(ctx, ing, clusterUID);
      await releaseIngress(ctx, key, ing, clusterUID);
    },
  });
}
