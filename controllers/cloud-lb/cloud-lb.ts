/**
 * The cloud load-balancer controller for `type: LoadBalancer` Services (`service-lb` in
 * `--controllers`; upstream's service controller with the GCE legacy target-pool network LB;
 * see docs/network-model.md#loadbalancer-services). For each Service it handles (`isHandled`: type LoadBalancer, no
 * `loadBalancerClass`):
 *
 * - an address from the shared `loadBalancerIPPool` (`chooseAddress`): `spec.loadBalancerIP` when
 *   free and in the pool (else a Warning Event and no load balancer), else the existing rule's;
 * - a ForwardingRule `lbName` (one more per further protocol) to every node, with each node's
 *   health in `status.backends` (`health.ts`);
 * - the firewall `k8s-fw-<lbName>` opening the service ports, and the health checkers' firewall:
 *   `k8s-<lbName>-http-hc` on `healthCheckNodePort` under eTP=Local, the shared
 *   `k8s-<clusterName>-node-http-hc` (kube-proxy's 10256) while any eTP=Cluster Service exists;
 * - then, and only then, `status.loadBalancer.ingress = [{ip}]`.
 *
 * A Service deleted, being deleted, of another type or class loses all of it, its address goes back
 * to the pool and its status is cleared. No finalizers: the cloud objects carry labels naming their
 * Service, so a deleted Service's objects are found from the object side, and `start` sweeps those
 * whose Service went while the controller was down. Hand edits and deletions are put back (the
 * cloud objects are watched), Node and EndpointSlice changes re-evaluate health at once.
 */
import {
  defineController,
  keyString,
  watchKind,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from '../../src/runtime/api.js';
import { loadBalancerName, nodesHealthCheckFirewallName } from '../../src/dataplane/gce-names.js';
import { SERVICE_NAME_LABEL } from '../endpointslices/desired.js';
import type { LoadBalancerIPPool } from '../common/ip-pool.js';
import type { Firewall } from '../../src/registry/kinds/firewall/schema.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { chooseAddress } from './address.js';
import { clearAddress, deleteCloudObjects, ensureBackends, ensureCloudObject, publishAddress } from './cloud.js';
import {
  desiredLoadBalancer,
  isHandled,
  isLocalPolicy,
  isNamedFor,
  labelledOwner,
  ownsStatus,
  protocolGroups,
  sharedHealthCheckFirewall,
} from './desired.js';
import {
  DELETED_REASON,
  ENSURED_REASON,
  IP_NOT_AVAILABLE_REASON,
  ServiceWarnings,
  UNSUPPORTED_PROTOCOL_REASON,
  recordNormal,
  serviceEventRecorder,
  type ServiceWarning,
} from './events.js';
import { backendsHealth } from './health.js';
import {
  handledServices,
  keysForFirewall,
  servicesForForwardingRule,
  servicesForNode,
  servicesForSlice,
} from './triggers.js';

/** What the network-LB controller needs from the server. */
export interface CloudLoadBalancerOptions {
  /** Names the shared health-check firewall `k8s-<clusterName>-node-http-hc`. */
  clusterName: string;
  /** `loadBalancerIPPool`, shared with the Ingress controller. */
  ipPool: LoadBalancerIPPool;
}

/** How often a Service waiting for an address retries, for addresses freed without a ForwardingRule event. */
const ADDRESS_RETRY_MS = 10_000;

type Listed = Pick<ReconcileContext, 'listers'>;

/** The pool owner key of a Service (the Ingress controller keys by `ingress/…`). */
function poolOwner(key: ObjectKey): string {
  return `svc/${keyString(key)}`;
}

/** Whether a cloud object was made for the Service `key` (`svc`, when it exists, with its uid-derived names). */
function belongsTo(
  kind: 'ForwardingRule' | 'Firewall',
  obj: ForwardingRule | Firewall,
  key: ObjectKey,
  svc: Service | undefined,
): boolean {
  const owner = labelledOwner(obj);
  if (owner && owner.namespace === key.namespace && owner.name === key.name) return true;
  return !!svc && isNamedFor(svc, kind, obj.metadata.name!);
}

/** The cached ForwardingRules and Firewalls of the Service `key`, whatever its uid. */
function ownedObjects(ctx: Listed, key: ObjectKey, svc: Service | undefined) {
  return {
    forwardingRules: ctx.listers.ForwardingRule.list().filter((fr) => belongsTo('ForwardingRule', fr, key, svc)),
    firewalls: ctx.listers.Firewall.list().filter((fw) => belongsTo('Firewall', fw, key, svc)),
  };
}

/** Whether the Service a cloud object names is gone, was re-created (another uid) or no longer handled. */
function isOrphan(ctx: Listed, obj: ForwardingRule | Firewall): boolean {
  const owner = labelledOwner(obj);
  if (!owner) return false;
  const svc = ctx.listers.Service.get(owner);
  return !svc || !isHandled(svc) || (!!owner.uid && owner.uid !== svc.metadata.uid);
}

function sortedNodes(ctx: Listed) {
  return [...ctx.listers.Node.list()].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
}

/** The cloud load-balancer controller, keyed by Service (module comment). */
export function cloudLoadBalancerController(opts: CloudLoadBalancerOptions): Reconciler<'Service'> {
  const sharedFirewall = sharedHealthCheckFirewall(opts.clusterName);
  const sharedFirewallName = nodesHealthCheckFirewallName(opts.clusterName);
  const recorder = serviceEventRecorder();
  const warnings = new ServiceWarnings(recorder);
  /** The address this process gave each Service (pool owner key). */
  const remembered = new Map<string, string>();

  /** Keeps the shared kube-proxy health-check firewall while any handled Service uses eTP=Cluster. */
  async function syncSharedFirewall(ctx: ReconcileContext): Promise<void> {
    if (handledServices(ctx.listers).some((svc) => !isLocalPolicy(svc))) {
      await ensureCloudObject(ctx, 'Firewall', sharedFirewall);
      return;
    }
    const stale = ctx.listers.Firewall.get({ name: sharedFirewallName });
    if (stale) await deleteCloudObjects(ctx, 'Firewall', [stale]);
  }

  /** Deletes the Service's cloud objects except those named in `keep`; resolves how many rules went. */
  async function deleteObjects(
    ctx: ReconcileContext,
    key: ObjectKey,
    svc: Service | undefined,
    keep: ReadonlySet<string> = new Set(),
  ): Promise<number> {
    const owned = ownedObjects(ctx, key, svc);
    const stale = <T extends { metadata: { name?: string } }>(objs: T[]) =>
      objs.filter((o) => !keep.has(o.metadata.name!));
    const rules = await deleteCloudObjects(ctx, 'ForwardingRule', stale(owned.forwardingRules));
    await deleteCloudObjects(ctx, 'Firewall', stale(owned.firewalls));
    return rules;
  }

  /** Removes the Service's load balancer: cloud objects, address, published status. */
  async function release(ctx: ReconcileContext, key: ObjectKey, svc: Service | undefined): Promise<void> {
    const deletedRules = await deleteObjects(ctx, key, svc);
    opts.ipPool.release(poolOwner(key));
    remembered.delete(poolOwner(key));
    if (!svc || svc.metadata.deletionTimestamp || !ownsStatus(svc)) return;
    await clearAddress(ctx, svc);
    if (deletedRules > 0) await recordNormal(recorder, ctx, svc, DELETED_REASON, 'Deleted load balancer');
  }

  /** The address for a handled Service, or the problem that leaves it without a load balancer. */
  function address(
    ctx: ReconcileContext,
    key: ObjectKey,
    svc: Service,
    current: string | undefined,
  ): { ip?: string; problem?: ServiceWarning } {
    if (protocolGroups(svc).length === 0) {
      return {
        problem: {
          reason: UNSUPPORTED_PROTOCOL_REASON,
          message: 'no TCP or UDP port: a network load balancer carries only TCP and UDP',
        },
      };
    }
    const owner = poolOwner(key);
    const others = ctx.listers.ForwardingRule.list().filter((fr) => !belongsTo('ForwardingRule', fr, key, svc));
    const inUse = new Set(others.map((fr) => fr.spec.ipAddress).filter(Boolean));
    const choice = chooseAddress(opts.ipPool, {
      owner,
      requested: svc.spec.loadBalancerIP || undefined,
      remembered: remembered.get(owner),
      current,
      inUse,
    });
    return {
      ip: choice.ip,
      problem: choice.problem ? { reason: IP_NOT_AVAILABLE_REASON, message: choice.problem } : undefined,
    };
  }

  /** Brings the load balancer of a handled Service to what it asks for, then publishes its address. */
  async function ensure(ctx: ReconcileContext, key: ObjectKey, svc: Service): Promise<Result | void> {
    const current = ctx.listers.ForwardingRule.get({ name: loadBalancerName(svc.metadata.uid ?? '') })?.spec.ipAddress;
    const choice = address(ctx, key, svc, current);
    await warnings.report(ctx, svc, choice.problem);
    if (!choice.ip) {
      await release(ctx, key, svc);
      await syncSharedFirewall(ctx);
      return { requeueAfterMs: ADDRESS_RETRY_MS };
    }
    remembered.set(poolOwner(key), choice.ip);
    const nodes = sortedNodes(ctx);
    const plan = desiredLoadBalancer(
      svc,
      choice.ip,
      nodes.map((n) => n.metadata.name!),
    );
    const names = new Set([...plan.forwardingRules, ...plan.firewalls].map((o) => o.metadata.name));
    await deleteObjects(ctx, key, svc, names);
    const slices = isLocalPolicy(svc)
      ? ctx.listers.EndpointSlice.list({ namespace: key.namespace, labels: { [SERVICE_NAME_LABEL]: key.name } })
      : [];
    const backends = backendsHealth(svc, nodes, slices);
    const hadRule = current !== undefined;
    let complete = true;
    for (const desired of plan.forwardingRules) {
      const rule = await ensureCloudObject(ctx, 'ForwardingRule', desired);
      if (rule) await ensureBackends(ctx, rule, backends);
      else complete = false;
    }
    for (const desired of plan.firewalls) if (!(await ensureCloudObject(ctx, 'Firewall', desired))) complete = false;
    await syncSharedFirewall(ctx);
    if (!complete) return;
    if (!hadRule) await recordNormal(recorder, ctx, svc, ENSURED_REASON, 'Ensured load balancer');
    await publishAddress(ctx, svc, choice.ip);
  }

  return defineController({
    name: 'service-lb',
    for: 'Service',
    watches: [
      watchKind('Node', (_node, { listers }) => servicesForNode(listers)),
      watchKind('EndpointSlice', (slice, { listers }) => servicesForSlice(slice, listers)),
      watchKind('ForwardingRule', (fr, { listers }) => servicesForForwardingRule(fr, listers)),
      watchKind('Firewall', (fw, { listers }) => keysForFirewall(fw, listers, sharedFirewallName)),
    ],
    /** Sweeps the objects of Services that went (or changed) while no controller ran, and the shared firewall if unused. */
    async start(ctx) {
      const rules = ctx.listers.ForwardingRule.list().filter((fr) => isOrphan(ctx, fr));
      const firewalls = ctx.listers.Firewall.list().filter((fw) => isOrphan(ctx, fw));
      await deleteCloudObjects(ctx, 'ForwardingRule', rules);
      await deleteCloudObjects(ctx, 'Firewall', firewalls);
      await syncSharedFirewall(ctx);
    },
    async reconcile(ctx, key) {
      if (!key.namespace) return syncSharedFirewall(ctx);
      const svc = ctx.listers.Service.get(key);
      if (svc && isHandled(svc)) return ensure(ctx, key, svc);
      warnings.forget(keyString(key));
      await release(ctx, key, svc);
      await syncSharedFirewall(ctx);
    },
  });
}
