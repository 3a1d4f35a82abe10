/**
 * The objects every cluster starts with (as a new GKE cluster has them), created at start and re-created when
 * deleted (`bootstrap` in `--controllers`), like kube-apiserver's bootstrap controller does for
 * `default/kubernetes` and the addon manager for kube-dns. Needs the system namespaces, which the
 * server creates before controllers start. Creation is idempotent: an existing object is kept as is.
 *
 * - Service `default/kubernetes`: ClusterIP = first address of the service CIDR, port `https`
 *   443 → 6443, no selector; its Endpoints (labelled `endpointslice.kubernetes.io/skip-mirror`) and
 *   EndpointSlice point at the API server's address. The simulated control plane, like GKE's, lives
 *   in Google's network, outside every VM and pod range: by default it is given the VPC subnet's
 *   gateway address (`.1`), which no VM or pod can hold.
 * - Service `kube-system/kube-dns` exactly as the talk's slide 53 (selector `k8s-app: kube-dns`,
 *   ports `dns` 53/UDP and `dns-tcp` 53/TCP) with ClusterIP = tenth address of the service CIDR.
 * - Two CoreDNS pods in kube-system behind it, scheduled like any pod. Without Deployments they
 *   have fixed names, so a deleted one comes back under the same name.
 * - IngressClass `gce` (controller `k8s.io/ingress-gce`), the default class.
 *
 * ClusterIPs are requested explicitly; the ClusterIP allocator honours requested addresses.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import {
  defineController,
  keyString,
  watchKind,
  type Kind,
  type KindMap,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
} from '../../src/runtime/api.js';
import { addressAt, formatIPv4, parseCIDR } from '../../src/net/ipv4.js';

/** The server configuration bootstrap needs. */
export interface BootstrapOptions {
  serviceCIDR: string;
  vpcCIDR: string;
  /** Where `default/kubernetes` sends traffic; default the VPC gateway address (see above). */
  apiServerAddress?: string;
  /** The API server port behind `kubernetes:443`; default 6443. */
  apiServerPort?: number;
}

/** `default/kubernetes` and `kube-system/kube-dns`. */
const KUBERNETES_SERVICE: ObjectKey = { namespace: 'default', name: 'kubernetes' };
const KUBE_DNS_SERVICE: ObjectKey = { namespace: 'kube-system', name: 'kube-dns' };

/** Label selecting the CoreDNS pods. */
const KUBE_DNS_LABELS = { 'k8s-app': 'kube-dns' } as const;

const COREDNS_TEMPLATE_HASH = '5d78c9869d';
/** The CoreDNS pods' names, Deployment-style (`<deployment>-<template hash>-<suffix>`). */
export const COREDNS_POD_NAMES = [
  `coredns-${COREDNS_TEMPLATE_HASH}-bk7xq`,
  `coredns-${COREDNS_TEMPLATE_HASH}-wz4n9`,
] as const;
const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.11.3';

/** The nth address of the service CIDR (1 = `kubernetes`, 10 = `kube-dns`). */
export function serviceIP(serviceCIDR: string, n: number): string {
  return formatIPv4(addressAt(parseCIDR(serviceCIDR), n));
}

type New<K extends Kind> = Omit<KindMap[K], 'apiVersion' | 'kind'>;

/** A manifest as a user would write it; the registry applies the defaults the output types declare required. */
function manifest<K extends Kind>(obj: unknown): New<K> {
  return obj as New<K>;
}

function kubernetesService(opts: BootstrapOptions): New<'Service'> {
  const clusterIP = serviceIP(opts.serviceCIDR, 1);
  const service: New<'Service'> = {
    metadata: { ...KUBERNETES_SERVICE, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      sessionAffinity: 'None',
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: opts.apiServerPort ?? 6443 }],
    },
  };
  return service;
}

function apiServer(opts: BootstrapOptions): { ip: string; port: number } {
  return {
    ip: opts.apiServerAddress ?? formatIPv4(addressAt(parseCIDR(opts.vpcCIDR), 1)),
    port: opts.apiServerPort ?? 6443,
  };
}

function kubernetesEndpoints(opts: BootstrapOptions): New<'Endpoints'> {
  const { ip, port } = apiServer(opts);
  const endpoints: New<'Endpoints'> = {
    metadata: { ...KUBERNETES_SERVICE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  return endpoints;
}

function kubernetesEndpointSlice(opts: BootstrapOptions): New<'EndpointSlice'> {
  const { ip, port } = apiServer(opts);
  const slice: New<'EndpointSlice'> = {
    metadata: { ...KUBERNETES_SERVICE, labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', protocol: 'TCP', port }],
  };
  return slice;
}

/** The talk's kube-dns Service (S53), only the ClusterIP adapted to the configured range. */
function kubeDnsService(opts: BootstrapOptions): New<'Service'> {
  return manifest<'Service'>({
    metadata: { ...KUBE_DNS_SERVICE },
    spec: {
      clusterIP: serviceIP(opts.serviceCIDR, 10),
      selector: { ...KUBE_DNS_LABELS },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  });
}

function corednsPod(name: string): New<'Pod'> {
  return manifest<'Pod'>({
    metadata: {
      name,
      namespace: KUBE_DNS_SERVICE.namespace,
      labels: { ...KUBE_DNS_LABELS, 'pod-template-hash': COREDNS_TEMPLATE_HASH },
    },
    spec: {
      dnsPolicy: 'Default',
      containers: [
        {
          name: 'coredns',
          image: COREDNS_IMAGE,
          args: ['-conf', '/etc/coredns/Corefile'],
          ports: [
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
          ],
        },
      ],
    },
  });
}

/** The default IngressClass's name. */
export const GCE_INGRESS_CLASS = 'gce';

function gceIngressClass(): New<'IngressClass'> {
  return {
    metadata: { name: GCE_INGRESS_CLASS, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-gce' },
  };
}

/** Creates `obj` (whose key is `key`) unless the cache already has it; "already exists" is success. */
async function ensure<K extends Kind>(
  ctx: Pick<ReconcileContext, 'client' | 'listers'>,
  kind: K,
  key: ObjectKey,
  obj: New<K>,
): Promise<void> {
  if (ctx.listers[kind].get(key)) return;
  try {
    await ctx.client.create(kind, obj);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

const isKey = (a: ObjectKey, b: ObjectKey) => keyString(a) === keyString(b);

/** The bootstrap controller. */
export function bootstrapController(opts: BootstrapOptions): Reconciler<'Service'> {
  async function ensureKubernetes(ctx: Pick<ReconcileContext, 'client' | 'listers'>): Promise<void> {
    await ensure(ctx, 'Service', KUBERNETES_SERVICE, kubernetesService(opts));
    await ensure(ctx, 'Endpoints', KUBERNETES_SERVICE, kubernetesEndpoints(opts));
    await ensure(ctx, 'EndpointSlice', KUBERNETES_SERVICE, kubernetesEndpointSlice(opts));
  }
  async function ensureDns(ctx: Pick<ReconcileContext, 'client' | 'listers'>): Promise<void> {
    await ensure(ctx, 'Service', KUBE_DNS_SERVICE, kubeDnsService(opts));
    for (const name of COREDNS_POD_NAMES)
      await ensure(ctx, 'Pod', { namespace: KUBE_DNS_SERVICE.namespace, name }, corednsPod(name));
  }
  return defineController({
    name: 'bootstrap',
    for: 'Service',
    watches: [
      watchKind('Endpoints', (ep) => (isKey(ep.metadata as ObjectKey, KUBERNETES_SERVICE) ? [KUBERNETES_SERVICE] : [])),
      watchKind('EndpointSlice', (slice) =>
        isKey(slice.metadata as ObjectKey, KUBERNETES_SERVICE) ? [KUBERNETES_SERVICE] : [],
      ),
      watchKind('Pod', (pod) =>
        pod.metadata.namespace === KUBE_DNS_SERVICE.namespace && COREDNS_POD_NAMES.some((n) => n === pod.metadata.name)
          ? [KUBE_DNS_SERVICE]
          : [],
      ),
    ],
    async start(ctx) {
      await ensureKubernetes(ctx);
      await ensureDns(ctx);
      await ensure(ctx, 'IngressClass', { name: GCE_INGRESS_CLASS }, gceIngressClass());
    },
    async reconcile(ctx, key) {
      if (isKey(key, KUBERNETES_SERVICE)) await ensureKubernetes(ctx);
      else if (isKey(key, KUBE_DNS_SERVICE)) await ensureDns(ctx);
    },
  });
}
