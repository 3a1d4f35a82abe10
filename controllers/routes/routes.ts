/**
 * The route controller (`routes` in `--controllers`; kube-controller-manager's route controller
 * with the GCE cloud provider; docs/network-model.md#routes): one VPC Route per Node that has a `spec.podCIDR`,
 * sending the pod range to that node, so cross-node pod traffic needs no overlay.
 *
 * - Name `<clusterName[:26]>-<node uid>`, destRange = podCIDR, nextHopInstance = node name,
 *   priority 1000, description `k8s-node-route` (cloud-provider-gcp `gce_routes.go`). The label
 *   {@link NODE_LABEL} marks the Route as the controller's and names its node.
 * - Self-healing: a deleted Route is created again (a new object, new uid); a Route whose spec or
 *   label was edited is put back; the Route of a deleted Node (or of an earlier Node of the same
 *   name, or from another cluster name) is deleted. Routes without the label and not named like one
 *   of ours are the user's and are left alone.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { semanticEqual } from '../../src/apimachinery/validation.js';
import {
  defineController,
  watchKind,
  type Listers,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
} from '../../src/runtime/api.js';
import type { Node } from '../../src/registry/kinds/node/schema.js';
import type { Route, RouteSpec } from '../../src/registry/kinds/route/schema.js';

/** The label naming the node a controller-made Route serves. */
export const NODE_LABEL = 'compute.kplane.io/node';
/** Upstream's `k8sNodeRouteTag`, the description of every node route. */
const NODE_ROUTE_DESCRIPTION = 'k8s-node-route';
const NODE_ROUTE_PRIORITY = 1000;
/** GCP route names are at most 63 characters: 26 of the cluster name, a dash, a 36-character uid. */
const CLUSTER_NAME_PREFIX_LENGTH = 26;

/** The server configuration the route controller needs. */
export interface RouteControllerOptions {
  clusterName: string;
}

/** The name of the Route of the node with `nodeUID`: `<clusterName[:26]>-<uid>`. */
export function nodeRouteName(clusterName: string, nodeUID: string): string {
  return `${clusterName.slice(0, CLUSTER_NAME_PREFIX_LENGTH)}-${nodeUID}`;
}

/** A node's Route as the controller writes it. */
export type NodeRoute = {
  metadata: { name: string; labels: Record<string, string> };
  spec: RouteSpec;
};

/** The Route `node` should have, or undefined while it has no pod CIDR (or no uid yet). */
export function desiredNodeRoute(clusterName: string, node: Node): NodeRoute | undefined {
  const { name, uid } = node.metadata;
  const podCIDR = node.spec.podCIDR;
  if (!name || !uid || !podCIDR) return undefined;
  return {
    metadata: { name: nodeRouteName(clusterName, uid), labels: { [NODE_LABEL]: name } },
    spec: {
      destRange: podCIDR,
      nextHopInstance: name,
      priority: NODE_ROUTE_PRIORITY,
      description: NODE_ROUTE_DESCRIPTION,
    },
  };
}

/** The nodes a Route concerns: the one its label names, and any whose Route would carry its name. */
function nodesOfRoute(clusterName: string, route: Route, listers: Pick<Listers, 'Node'>): ObjectKey[] {
  const labelled = route.metadata.labels?.[NODE_LABEL];
  const named = listers.Node.list().filter(
    (n) => n.metadata.uid && nodeRouteName(clusterName, n.metadata.uid) === route.metadata.name,
  );
  const names = new Set([...(labelled ? [labelled] : []), ...named.map((n) => n.metadata.name!)]);
  return [...names].map((name) => ({ name }));
}

/** Deletes the controller's Routes for `nodeName` other than `keep`. */
async function deleteStaleRoutes(ctx: ReconcileContext, nodeName: string, keep: string | undefined): Promise<void> {
  for (const route of ctx.listers.Route.list({ labels: { [NODE_LABEL]: nodeName } })) {
    const name = route.metadata.name!;
    if (name !== keep) {
      await ctx.client.delete('Route', { name });
      ctx.log.info('deleted node route', { route: name, node: nodeName });
    }
  }
}

function isUpToDate(current: Route, desired: NodeRoute): boolean {
  return (
    semanticEqual(current.spec, desired.spec) &&
    current.metadata.labels?.[NODE_LABEL] === desired.metadata.labels[NODE_LABEL]
  );
}

/** Creates `desired`, or puts an existing Route of that name back to it. */
async function ensureRoute(ctx: ReconcileContext, desired: NodeRoute): Promise<void> {
  const name = desired.metadata.name;
  const current = ctx.listers.Route.get({ name });
  if (!current) {
    try {
      await ctx.client.create('Route', desired);
      ctx.log.info('created node route', {
        route: name,
        node: desired.spec.nextHopInstance,
        destRange: desired.spec.destRange,
      });
    } catch (err) {
      // Already there: the cache is behind, and its add event reconciles this node again.
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
    return;
  }
  if (isUpToDate(current, desired)) return;
  const labels = { ...current.metadata.labels, ...desired.metadata.labels };
  await ctx.client.update('Route', { ...current, metadata: { ...current.metadata, labels }, spec: desired.spec });
  ctx.log.info('restored node route', { route: name, node: desired.spec.nextHopInstance });
}

/** The route controller, keyed by Node. */
export function routeController(opts: RouteControllerOptions): Reconciler<'Node'> {
  return defineController({
    name: 'routes',
    for: 'Node',
    watches: [watchKind('Route', (route, { listers }) => nodesOfRoute(opts.clusterName, route, listers))],
    async reconcile(ctx, key) {
      const node = ctx.listers.Node.get(key);
      const desired = node && desiredNodeRoute(opts.clusterName, node);
      await deleteStaleRoutes(ctx, key.name, desired?.metadata.name);
      if (desired) await ensureRoute(ctx, desired);
    },
  });
}
