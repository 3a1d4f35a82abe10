/**
 * The reference cluster as a RealizeInput, built by hand: three VMs, the five pods, the store-be
 * ClusterIP Service, GKE's routes and firewall rules, and each node's kube-proxy + ip-masq-agent
 * rules from the real compiler.
 */
import { EndpointSliceSchema, type EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import { ServiceSchema, type Service } from '../../src/registry/kinds/service/schema.js';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import { renderIptablesSave } from '../../src/dataplane/kube-proxy/render.js';
import type { RealizeInput } from '../../src/dataplane/realize/input.js';

export const CLUSTER_CIDR = '10.11.0.0/16';
export const STORE_BE_VIP = '10.9.3.76';

const vms = [
  { name: 'vm1', internalIP: '10.240.0.2', externalIP: '35.0.0.1', podCIDR: '10.11.0.0/24' },
  { name: 'vm2', internalIP: '10.240.0.3', externalIP: '35.0.0.2', podCIDR: '10.11.5.0/24' },
  { name: 'vm3', internalIP: '10.240.0.4', externalIP: '35.0.0.3', podCIDR: '10.11.8.0/24' },
];

/** The seed pods: store-be-{1,2,3} are the Service's endpoints. */
export const PODS = [
  { namespace: 'default', name: 'store-be-1', node: 'vm1', ip: '10.11.0.9' },
  { namespace: 'default', name: 'db-1', node: 'vm1', ip: '10.11.0.18' },
  { namespace: 'default', name: 'store-be-2', node: 'vm2', ip: '10.11.5.3' },
  { namespace: 'default', name: 'store-be-3', node: 'vm3', ip: '10.11.8.67' },
  { namespace: 'default', name: 'store-fe-1', node: 'vm3', ip: '10.11.8.68' },
];

const storeBe: Service = ServiceSchema.parse({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'default', name: 'store-be' },
  spec: {
    clusterIP: STORE_BE_VIP,
    selector: { app: 'store', role: 'be' },
    ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
  },
});

const storeBeSlice: EndpointSlice = EndpointSliceSchema.parse({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { namespace: 'default', name: 'store-be-x1', labels: { 'kubernetes.io/service-name': 'store-be' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  endpoints: PODS.filter((p) => p.name.startsWith('store-be-')).map((p) => ({
    addresses: [p.ip],
    nodeName: p.node,
    conditions: { ready: true, serving: true, terminating: false },
  })),
});

/** The node's rules as the API serves them (kube-proxy + ip-masq-agent with the default 10.0.0.0/8). */
function nodeRules(nodeName: string): string {
  const compiled = compileNode({
    nodeName,
    clusterCIDR: CLUSTER_CIDR,
    nonMasqueradeCIDRs: ['10.0.0.0/8'],
    services: [storeBe],
    endpointSlices: [storeBeSlice],
  });
  return renderIptablesSave(compiled);
}

/** The reference cluster (docs/network-model.md#the-reference-cluster). */
export function fixtureInput(): RealizeInput {
  return {
    vpcCIDR: '10.240.0.0/16',
    clusterCIDR: CLUSTER_CIDR,
    nodes: vms.map((vm) => ({ ...vm, canIpForward: true, iptablesSave: nodeRules(vm.name) })),
    pods: PODS,
    routes: vms.map((vm) => ({ destRange: vm.podCIDR, nextHopNode: vm.name })),
    firewalls: [
      { sourceRanges: [CLUSTER_CIDR], allowed: [{ protocol: 'all' }] },
      { sourceRanges: ['10.240.0.0/16'], allowed: [{ protocol: 'tcp' }, { protocol: 'udp' }, { protocol: 'icmp' }] },
    ],
    internetHosts: ['8.8.8.8', '198.51.100.7'],
  };
}
