/** One Service's rules on one node: the unit compile.ts and the incremental proxier share. */
import {
  externallyAccessible,
  needsNodePorts,
  type Service,
  type ServicePort,
} from '../../registry/kinds/service/schema.js';
import type { EndpointSlice } from '../../registry/kinds/endpointslice/schema.js';
import { addEndpointRules } from './endpoint-rules.js';
import { newFragment, type Fragment } from './fragment.js';
import { servicePortName } from './names.js';
import { portContext } from './port-context.js';
import {
  addClusterIPRules,
  addExternalAddressRules,
  addExternalChain,
  addFirewallChain,
  addHealthCheckRule,
  addNodePortRules,
} from './service-rules.js';

/** `"<namespace>/<name>"`, the key Services and their slices are indexed by. */
export const serviceKey = (namespace: string | undefined, name: string | undefined): string =>
  `${namespace ?? 'default'}/${name ?? ''}`;

/** Services kube-proxy programs: those with a ClusterIP (not headless, not ExternalName). */
function isProxied(svc: Service): boolean {
  const ip = svc.spec.clusterIP;
  return svc.spec.type !== 'ExternalName' && !!ip && ip !== 'None';
}

/** Whether the Service's rules differ between nodes: only `Local` traffic policies look at where endpoints run. */
export function dependsOnNode(svc: Service): boolean {
  return (
    svc.spec.internalTrafficPolicy === 'Local' ||
    (externallyAccessible(svc.spec) && svc.spec.externalTrafficPolicy === 'Local')
  );
}

const portSortKey = (svc: Service, port: ServicePort): string =>
  `${servicePortName(svc.metadata.namespace ?? 'default', svc.metadata.name ?? '', port.name)}\u0000${port.protocol}`;

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The Service's ports in `ServicePortName` order. */
function sortedPorts(svc: Service): ServicePort[] {
  return [...(svc.spec.ports ?? [])].sort((a, b) => compareStrings(portSortKey(svc, a), portSortKey(svc, b)));
}

/**
 * Where the Service's rules go among others' in shared chains: its first port's sort key. A
 * Service's `ServicePortName`s share the prefix `"<ns>/<name>:"` (names hold no `:`), so no other
 * Service's port sorts between them and ordering Services this way orders all ports.
 */
export function serviceSortKey(svc: Service): string {
  const first = sortedPorts(svc)[0];
  return first ? portSortKey(svc, first) : serviceKey(svc.metadata.namespace, svc.metadata.name);
}

/** Orders Services by `serviceSortKey`. */
export const compareServiceSortKeys = compareStrings;

function addServicePort(
  svc: Service,
  port: ServicePort,
  slices: readonly EndpointSlice[],
  nodeName: string,
  clusterCIDR: string,
  out: Fragment,
): void {
  const c = portContext(svc, port, slices, nodeName, clusterCIDR);
  addClusterIPRules(c, out);
  addExternalAddressRules(c, out);
  if (port.nodePort && needsNodePorts(svc.spec)) addNodePortRules(c, port.nodePort, out);
  if (c.externalLocal && svc.spec.healthCheckNodePort) addHealthCheckRule(c, svc.spec.healthCheckNodePort, out.filter);
  addFirewallChain(c, out.nat);
  addExternalChain(c, out.nat);
  addEndpointRules(c, out.nat);
}

/**
 * The rules `svc` gives `nodeName` (iptables mode, ≥1.24 chain naming), from the Service's own
 * EndpointSlices (others are ignored). Empty for Services kube-proxy does not program.
 */
export function compileServiceFragment(
  svc: Service,
  slices: readonly EndpointSlice[],
  nodeName: string,
  clusterCIDR: string,
): Fragment {
  const out = newFragment();
  if (!isProxied(svc)) return out;
  for (const port of sortedPorts(svc)) addServicePort(svc, port, slices, nodeName, clusterCIDR, out);
  return out;
}
