/**
 * Ready-made compiler inputs: a small cluster (docs/network-model.md#the-reference-cluster) whose rules exercise every
 * rule kind the compiler emits, for tests, the real-iptables check and evaluator tests; and a
 * synthetic cluster of any size for benchmarks.
 */
import { ServiceSchema, type Service } from '../../src/registry/kinds/service/schema.js';
import { EndpointSliceSchema, type EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import type { CompileInput } from '../../src/dataplane/kube-proxy/compile.js';

/** Cluster-wide compiler inputs without the node name. */
export type ClusterInput = Omit<CompileInput, 'nodeName'> & { nodes: string[] };

/** One endpoint of a sample slice. */
export interface SampleEndpoint {
  ip: string;
  node: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** A Service in `namespace/name` with the given spec and status, defaulted as the API server would. */
export function sampleService(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
): Service {
  return ServiceSchema.parse({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec, status });
}

/** An EndpointSlice `<service>-<suffix>` for the Service, with the given ports and endpoints. */
export function sampleSlice(
  namespace: string,
  service: string,
  ports: { name?: string; port: number; protocol?: string }[],
  endpoints: SampleEndpoint[],
  suffix = 'abc',
): EndpointSlice {
  return EndpointSliceSchema.parse({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${suffix}`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      conditions: {
        ready: e.ready ?? true,
        serving: e.serving ?? e.ready ?? true,
        terminating: e.terminating ?? false,
      },
    })),
  });
}

const http = [{ name: 'http', port: 80, protocol: 'TCP' }];
const storePods: SampleEndpoint[] = [
  { ip: '10.11.0.9', node: 'vm1' },
  { ip: '10.11.5.3', node: 'vm2' },
  { ip: '10.11.8.67', node: 'vm3' },
];

/**
 * The reference cluster plus one Service per rule kind. On vm1: ClusterIP with hairpin (store-be), no
 * endpoints → REJECT everywhere (nothing), NodePort eTP=Cluster (store-np), LoadBalancer eTP=Local
 * with a health-check port and a local endpoint (store-lb; vm4 has none → DROP), iTP=Local
 * (store-local; DROP on vm2 and vm4), externalIPs (store-ext), ClientIP affinity (store-sticky),
 * loadBalancerSourceRanges (store-fw), a two-protocol DNS Service (kube-dns), and ip-masq-agent.
 */
export function sampleCluster(): ClusterInput {
  const lbPorts = [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31380 }];
  const services = [
    sampleService('default', 'store-be', { clusterIP: '10.9.3.76', ports: http }),
    sampleService('default', 'nothing', {
      type: 'NodePort',
      clusterIP: '10.9.0.50',
      externalIPs: ['35.0.0.50'],
      ports: [{ name: 'http', port: 80, nodePort: 30050 }],
    }),
    sampleService('default', 'store-np', {
      type: 'NodePort',
      clusterIP: '10.9.3.77',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
    }),
    sampleService(
      'default',
      'store-lb',
      {
        type: 'LoadBalancer',
        clusterIP: '10.9.3.78',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32012,
        ports: lbPorts,
      },
      { loadBalancer: { ingress: [{ ip: '86.75.30.9' }] } },
    ),
    sampleService('default', 'store-local', { clusterIP: '10.9.3.79', internalTrafficPolicy: 'Local', ports: http }),
    sampleService('default', 'store-ext', { clusterIP: '10.9.3.80', externalIPs: ['35.0.0.80'], ports: http }),
    sampleService('default', 'store-sticky', {
      clusterIP: '10.9.3.81',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      ports: http,
    }),
    sampleService(
      'default',
      'store-fw',
      {
        type: 'LoadBalancer',
        clusterIP: '10.9.3.82',
        loadBalancerSourceRanges: ['198.51.100.0/24', ' 203.0.113.7/25'],
        ports: [{ name: 'http', port: 80, nodePort: 31382 }],
      },
      { loadBalancer: { ingress: [{ ip: '86.75.30.10' }] } },
    ),
    sampleService('kube-system', 'kube-dns', {
      clusterIP: '10.9.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    }),
  ];
  const storeSlices = ['store-be', 'store-np', 'store-lb', 'store-local', 'store-ext', 'store-sticky', 'store-fw'].map(
    (name) => sampleSlice('default', name, http, storePods),
  );
  const dnsPorts = [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  ];
  const dns = sampleSlice('kube-system', 'kube-dns', dnsPorts, [{ ip: '10.11.5.10', node: 'vm2' }]);
  return {
    nodes: ['vm1', 'vm2', 'vm3', 'vm4'],
    clusterCIDR: '10.11.0.0/16',
    nonMasqueradeCIDRs: ['10.0.0.0/8'],
    services,
    endpointSlices: [...storeSlices, dns],
  };
}

const ipOf = (n: number): string => `10.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;

/**
 * `services` ClusterIP Services (every tenth one NodePort, every fiftieth eTP=Local LoadBalancer)
 * with `endpointsPerService` ready endpoints spread round-robin over `nodes`.
 */
export function syntheticCluster(services: number, endpointsPerService: number, nodes: string[]): ClusterInput {
  const out: ClusterInput = {
    nodes,
    clusterCIDR: '10.64.0.0/10',
    nonMasqueradeCIDRs: ['10.0.0.0/8'],
    services: [],
    endpointSlices: [],
  };
  for (let s = 0; s < services; s++) {
    const name = `svc-${s}`;
    const type = s % 50 === 0 ? 'LoadBalancer' : s % 10 === 0 ? 'NodePort' : 'ClusterIP';
    const port = {
      name: 'http',
      port: 80,
      protocol: 'TCP',
      ...(type === 'ClusterIP' ? {} : { nodePort: 30000 + (s % 2000) }),
    };
    const local =
      type === 'LoadBalancer' ? { externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 + (s % 700) } : {};
    const spec = { type, clusterIP: ipOf(0x080000 + s), ports: [port], ...local };
    const status =
      type === 'LoadBalancer'
        ? { loadBalancer: { ingress: [{ ip: `86.75.${(s >> 8) & 0xff}.${s & 0xff}` }] } }
        : undefined;
    out.services.push(sampleService('bench', name, spec, status));
    const endpoints = Array.from({ length: endpointsPerService }, (_, i) => ({
      ip: ipOf(0x400000 + s * endpointsPerService + i),
      node: nodes[(s + i) % nodes.length],
    }));
    out.endpointSlices.push(sampleSlice('bench', name, http, endpoints));
  }
  return out;
}
