import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusCause } from '../../src/apimachinery/errors.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import type { ResourceType } from '../../src/registry/resource.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';
import { fieldsOf } from '../../src/registry/selection.js';
import { endpoints, repackSubsets } from '../../src/registry/kinds/endpoints/index.js';
import { endpointSlices } from '../../src/registry/kinds/endpointslice/index.js';
import { events } from '../../src/registry/kinds/event/index.js';
import { ingressClasses } from '../../src/registry/kinds/ingressclass/index.js';
import { ingresses } from '../../src/registry/kinds/ingress/index.js';
import { leases } from '../../src/registry/kinds/lease/index.js';
import { namespaces } from '../../src/registry/kinds/namespace/index.js';
import { nodes } from '../../src/registry/kinds/node/index.js';
import { pods } from '../../src/registry/kinds/pod/index.js';
import { services } from '../../src/registry/kinds/service/index.js';
import { isOpaque } from '../../schemas/meta.js';
import { PodSchema, VolumeSchema } from '../../src/registry/kinds/pod/schema.js';

type Body = Record<string, any>;
type AnyResource = ResourceType<any>;

/** Decodes like the registry: a shape error throws. */
function decode(rt: AnyResource, body: unknown): any {
  const result = rt.schema.safeParse(body);
  if (!result.success) throw new Error(`decode failed: ${JSON.stringify(result.error.issues)}`);
  return result.data;
}

/** decode → prepareForCreate → validate. */
function create(rt: AnyResource, body: Body): { obj: any; causes: StatusCause[] } {
  const obj = decode(rt, body);
  rt.strategy.prepareForCreate?.(obj);
  return { obj, causes: rt.strategy.validate(obj) };
}

/** Creates `before`, then updates it to `after`: prepareForUpdate → validate + validateUpdate. */
function update(rt: AnyResource, before: Body, after: Body): { obj: any; causes: StatusCause[] } {
  const old = create(rt, before).obj;
  const obj = decode(rt, after);
  rt.strategy.prepareForUpdate?.(obj, old);
  return { obj, causes: [...rt.strategy.validate(obj), ...(rt.strategy.validateUpdate?.(obj, old) ?? [])] };
}

const meta = (name: string, namespace?: string) => (namespace ? { name, namespace } : { name });

function makePod(tweak: (p: Body) => void = () => {}): Body {
  const pod: Body = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('web', 'default'),
    spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 80 }] }] },
  };
  tweak(pod);
  return pod;
}

function makeService(tweak: (s: Body) => void = () => {}): Body {
  const svc: Body = {
    metadata: meta('store-be', 'default'),
    spec: { selector: { app: 'store' }, ports: [{ name: 'http', port: 80 }] },
  };
  tweak(svc);
  return svc;
}

function makeIngress(tweak: (i: Body) => void = () => {}): Body {
  const ing: Body = {
    metadata: meta('store', 'default'),
    spec: {
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              {
                path: '/products',
                pathType: 'Prefix',
                backend: { service: { name: 'products-be', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
  tweak(ing);
  return ing;
}

function makeEndpoints(tweak: (e: Body) => void = () => {}): Body {
  const ep: Body = {
    metadata: meta('store-be', 'default'),
    subsets: [{ addresses: [{ ip: '10.11.0.9', nodeName: 'vm1' }], ports: [{ name: 'http', port: 80 }] }],
  };
  tweak(ep);
  return ep;
}

function makeSlice(tweak: (s: Body) => void = () => {}): Body {
  const slice: Body = {
    metadata: meta('store-be-abc', 'default'),
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.11.0.9'], conditions: { ready: true }, nodeName: 'vm1' }],
    ports: [{ name: 'http', port: 80 }],
  };
  tweak(slice);
  return slice;
}

const makeNode = (tweak: (n: Body) => void = () => {}): Body => {
  const node: Body = { metadata: meta('vm1'), spec: { podCIDR: '10.4.0.0/24' } };
  tweak(node);
  return node;
};
const makeEvent = (tweak: (e: Body) => void = () => {}): Body => {
  const ev: Body = {
    metadata: meta('web.17a3', 'default'),
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Scheduled',
    type: 'Normal',
  };
  tweak(ev);
  return ev;
};
const makeIngressClass = (tweak: (i: Body) => void = () => {}): Body => {
  const ic: Body = { metadata: meta('gce'), spec: { controller: 'k8s.io/ingress-gce' } };
  tweak(ic);
  return ic;
};
const makeLease = (tweak: (l: Body) => void = () => {}): Body => {
  const lease: Body = {
    metadata: meta('vm1', 'kube-node-lease'),
    spec: { holderIdentity: 'vm1', leaseDurationSeconds: 40 },
  };
  tweak(lease);
  return lease;
};

const validCases: { rt: AnyResource; body: Body }[] = [
  { rt: namespaces, body: { metadata: meta('store') } },
  { rt: nodes, body: makeNode() },
  { rt: pods, body: makePod() },
  { rt: services, body: makeService() },
  { rt: services, body: makeService((s) => (s.spec = { type: 'ExternalName', externalName: 'db.example.com.' })) },
  { rt: services, body: makeService((s) => (s.spec.clusterIP = 'None')) },
  { rt: endpoints, body: makeEndpoints() },
  { rt: events, body: makeEvent() },
  { rt: endpointSlices, body: makeSlice() },
  { rt: ingresses, body: makeIngress() },
  { rt: ingressClasses, body: makeIngressClass() },
  { rt: leases, body: makeLease() },
];
for (const tc of validCases) {
  test(`${tc.rt.kind}: a valid object passes`, () => assert.deepEqual(create(tc.rt, tc.body).causes, []));
}

/** Each invalid object must report exactly these field paths, in this order. */
const invalidCases: { name: string; rt: AnyResource; body: Body; fields: string[]; message?: string }[] = [
  {
    name: 'no containers',
    rt: pods,
    body: makePod((p) => (p.spec.containers = [])),
    fields: ['spec.containers'],
    message: 'Required value',
  },
  {
    name: 'image required',
    rt: pods,
    body: makePod((p) => delete p.spec.containers[0].image),
    fields: ['spec.containers[0].image'],
  },
  {
    name: 'bad container name',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].name = 'Web')),
    fields: ['spec.containers[0].name'],
    message:
      "Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  },
  {
    name: 'duplicate container names across init and regular containers',
    rt: pods,
    body: makePod((p) => (p.spec.initContainers = [{ name: 'web', image: 'busybox' }])),
    fields: ['spec.initContainers[0].name'],
    message: 'Duplicate value: "web"',
  },
  {
    name: 'container port out of range',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].ports[0].containerPort = 70000)),
    fields: ['spec.containers[0].ports[0].containerPort'],
    message: 'Invalid value: 70000: must be between 1 and 65535, inclusive',
  },
  {
    name: 'container port protocol',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].ports[0].protocol = 'ICMP')),
    fields: ['spec.containers[0].ports[0].protocol'],
    message: 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  },
  {
    name: 'restartPolicy enum',
    rt: pods,
    body: makePod((p) => (p.spec.restartPolicy = 'Sometimes')),
    fields: ['spec.restartPolicy'],
    message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  },
  { name: 'dnsPolicy enum', rt: pods, body: makePod((p) => (p.spec.dnsPolicy = 'Google')), fields: ['spec.dnsPolicy'] },
  {
    name: 'volume mount of an unknown volume',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }])),
    fields: ['spec.containers[0].volumeMounts[0].name'],
    message: 'Not found: "data"',
  },
  {
    name: 'request above limit',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '500m' } })),
    fields: ['spec.containers[0].resources.requests'],
    message: 'Invalid value: "2": must be less than or equal to cpu limit of 500m',
  },
  {
    name: 'probe without handler',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].livenessProbe = { periodSeconds: 5 })),
    fields: ['spec.containers[0].livenessProbe'],
    message: 'Required value: must specify a handler type',
  },
  {
    name: 'probe port name',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].readinessProbe = { tcpSocket: { port: 'HTTP' } })),
    fields: ['spec.containers[0].readinessProbe.tcpSocket.port'],
  },
  {
    name: 'hostNetwork with a different hostPort',
    rt: pods,
    body: makePod((p) => ((p.spec.hostNetwork = true), (p.spec.containers[0].ports[0].hostPort = 8080))),
    fields: ['spec.containers[0].ports[0].containerPort'],
  },
  {
    name: 'toleration without key must be Exists',
    rt: pods,
    body: makePod((p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'x' }])),
    fields: ['spec.tolerations[0].operator'],
  },
  {
    name: 'several pod errors together',
    rt: pods,
    body: makePod((p) => {
      p.spec.containers.push({ name: 'web', ports: [{ containerPort: 0 }] });
      p.spec.restartPolicy = 'x';
      p.spec.nodeName = 'VM_1';
    }),
    fields: [
      'spec.containers[1].name',
      'spec.containers[1].image',
      'spec.containers[1].ports[0].containerPort',
      'spec.restartPolicy',
      'spec.nodeName',
    ],
  },
  {
    name: 'ports required',
    rt: services,
    body: makeService((s) => delete s.spec.ports),
    fields: ['spec.ports'],
    message: 'Required value',
  },
  {
    name: 'port number range',
    rt: services,
    body: makeService((s) => (s.spec.ports[0].port = 70000)),
    fields: ['spec.ports[0].port', 'spec.ports[0].targetPort'],
  },
  {
    name: 'targetPort name',
    rt: services,
    body: makeService((s) => (s.spec.ports[0].targetPort = 'HTTP')),
    fields: ['spec.ports[0].targetPort'],
  },
  {
    name: 'names required and unique with several ports',
    rt: services,
    body: makeService((s) => (s.spec.ports = [{ name: 'http', port: 80 }, { name: 'http', port: 81 }, { port: 82 }])),
    fields: ['spec.ports[1].name', 'spec.ports[2].name'],
  },
  {
    name: 'duplicate port and protocol',
    rt: services,
    body: makeService(
      (s) =>
        (s.spec.ports = [
          { name: 'a', port: 53, protocol: 'UDP' },
          { name: 'b', port: 53, protocol: 'TCP' },
          { name: 'c', port: 53, protocol: 'UDP' },
        ]),
    ),
    fields: ['spec.ports[2]'],
    message: 'Duplicate value: {"port":53,"protocol":"UDP"}',
  },
  {
    name: 'type enum',
    rt: services,
    body: makeService((s) => (s.spec.type = 'Internal')),
    fields: ['spec.type'],
    message: 'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  },
  {
    name: 'clusterIP must be an IP',
    rt: services,
    body: makeService((s) => (s.spec.clusterIP = '10.0.0.300')),
    fields: ['spec.clusterIPs[0]'],
    message: 'Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  },
  {
    name: 'sessionAffinity enum',
    rt: services,
    body: makeService((s) => (s.spec.sessionAffinity = 'Cookie')),
    fields: ['spec.sessionAffinity'],
  },
  {
    name: 'externalName required',
    rt: services,
    body: makeService((s) => (s.spec = { type: 'ExternalName' })),
    fields: ['spec.externalName'],
  },
  {
    name: 'nodePort on ClusterIP',
    rt: services,
    body: makeService((s) => (s.spec.ports[0].nodePort = 30080)),
    fields: ['spec.ports[0].nodePort'],
    message: "Forbidden: may not be used when `type` is 'ClusterIP'",
  },
  {
    name: 'headless NodePort',
    rt: services,
    body: makeService((s) => ((s.spec.type = 'NodePort'), (s.spec.clusterIP = 'None'))),
    fields: ['spec.clusterIPs[0]'],
  },
  {
    name: 'externalTrafficPolicy on ClusterIP',
    rt: services,
    body: makeService((s) => (s.spec.externalTrafficPolicy = 'Local')),
    fields: ['spec.externalTrafficPolicy'],
    message: 'Invalid value: "Local": may only be set for externally-accessible services',
  },
  {
    name: 'service name must start with a letter',
    rt: services,
    body: makeService((s) => (s.metadata.name = '1store')),
    fields: ['metadata.name'],
  },
  {
    name: 'pathType required',
    rt: ingresses,
    body: makeIngress((i) => delete i.spec.rules[0].http.paths[0].pathType),
    fields: ['spec.rules[0].http.paths[0].pathType'],
    message: 'Required value: pathType must be specified',
  },
  {
    name: 'pathType enum',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].http.paths[0].pathType = 'Regex')),
    fields: ['spec.rules[0].http.paths[0].pathType'],
  },
  {
    name: 'relative Prefix path',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].http.paths[0].path = 'products')),
    fields: ['spec.rules[0].http.paths[0].path'],
    message: 'Invalid value: "products": must be an absolute path',
  },
  {
    name: 'backend with both service and resource',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].http.paths[0].backend.resource = { kind: 'Bucket', name: 'b' })),
    fields: ['spec.rules[0].http.paths[0].backend'],
    message: 'Invalid value: "": cannot set both resource and service backends',
  },
  {
    name: 'port with name and number',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].http.paths[0].backend.service.port.name = 'http')),
    fields: ['spec.rules[0].http.paths[0].backend'],
  },
  {
    name: 'port with neither name nor number',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].http.paths[0].backend.service.port = {})),
    fields: ['spec.rules[0].http.paths[0].backend'],
    message: 'Required value: port name or number is required',
  },
  {
    name: 'wildcard host ok, bad host rejected',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].host = 'shop.*.com')),
    fields: ['spec.rules[0].host'],
  },
  {
    name: 'IP host',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].host = '10.0.0.1')),
    fields: ['spec.rules[0].host'],
    message: 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
  },
  {
    name: 'neither rules nor default backend',
    rt: ingresses,
    body: makeIngress((i) => (i.spec = {})),
    fields: ['spec'],
  },
  {
    name: 'endpoint IP',
    rt: endpoints,
    body: makeEndpoints((e) => (e.subsets[0].addresses[0].ip = '127.0.0.1')),
    fields: ['subsets[0].addresses[0].ip'],
  },
  {
    name: 'endpoint port',
    rt: endpoints,
    body: makeEndpoints((e) => (e.subsets[0].ports[0].port = 0)),
    fields: ['subsets[0].ports[0].port'],
  },
  {
    name: 'subset without addresses',
    rt: endpoints,
    body: makeEndpoints((e) => (e.subsets[0].addresses = [])),
    fields: ['subsets[0]'],
  },
  {
    name: 'addressType enum',
    rt: endpointSlices,
    body: makeSlice((s) => (s.addressType = 'IPv5')),
    fields: ['addressType'],
  },
  {
    name: 'slice address family',
    rt: endpointSlices,
    body: makeSlice((s) => (s.endpoints[0].addresses = ['2001:db8::1'])),
    fields: ['endpoints[0].addresses[0]'],
    message: 'Invalid value: "2001:db8::1": must be a valid IPv4 address',
  },
  {
    name: 'endpoint without addresses',
    rt: endpointSlices,
    body: makeSlice((s) => (s.endpoints[0].addresses = [])),
    fields: ['endpoints[0].addresses'],
  },
  {
    name: 'controller required',
    rt: ingressClasses,
    body: makeIngressClass((i) => (i.spec = {})),
    fields: ['spec.controller'],
  },
  {
    name: 'controller must be domain-prefixed',
    rt: ingressClasses,
    body: makeIngressClass((i) => (i.spec.controller = 'gce')),
    fields: ['spec.controller'],
  },
  {
    name: 'namespace-scoped parameters need a namespace',
    rt: ingressClasses,
    body: makeIngressClass((i) => (i.spec.parameters = { kind: 'P', name: 'p', scope: 'Namespace' })),
    fields: ['spec.parameters.namespace'],
  },
  {
    name: 'lease duration positive',
    rt: leases,
    body: makeLease((l) => (l.spec.leaseDurationSeconds = 0)),
    fields: ['spec.leaseDurationSeconds'],
  },
  {
    name: 'event namespace must match',
    rt: events,
    body: makeEvent((e) => (e.involvedObject.namespace = 'other')),
    fields: ['involvedObject.namespace'],
    message: 'Invalid value: "other": does not match event.namespace',
  },
  {
    name: 'new-style event needs reporting fields',
    rt: events,
    body: makeEvent((e) => (e.eventTime = '2024-01-01T00:00:00.000000Z')),
    fields: ['reportingComponent', 'reportingComponent', 'reportingComponent', 'reportingInstance', 'action'],
  },
  {
    name: 'node taint effect',
    rt: nodes,
    body: makeNode((n) => (n.spec.taints = [{ key: 'dedicated', effect: 'Never' }])),
    fields: ['spec.taints[0].effect'],
  },
  {
    name: 'node podCIDR',
    rt: nodes,
    body: makeNode((n) => (n.spec.podCIDR = '10.4.0.0')),
    fields: ['spec.podCIDRs[0]'],
  },
  {
    name: 'namespace finalizer',
    rt: namespaces,
    body: { metadata: meta('a'), spec: { finalizers: ['custom'] } },
    fields: ['spec.finalizers'],
    message: 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  },
];
for (const tc of invalidCases) {
  test(`${tc.rt.kind}: ${tc.name}`, () => {
    const { causes } = create(tc.rt, tc.body);
    assert.deepEqual(
      causes.map((c) => c.field),
      tc.fields,
      JSON.stringify(causes, null, 1),
    );
    if (tc.message) assert.equal(causes[0].message, tc.message);
  });
}

const get = (obj: any, path: string): unknown => path.split('.').reduce((o, k) => o?.[k], obj);

/** Defaults applied at decode time, like SetDefaults_*; `path` uses dots and array indexes. */
const defaultCases: { name: string; rt: AnyResource; body: Body; want: Record<string, unknown> }[] = [
  {
    name: 'pod spec',
    rt: pods,
    body: makePod(),
    want: {
      'spec.restartPolicy': 'Always',
      'spec.dnsPolicy': 'ClusterFirst',
      'spec.terminationGracePeriodSeconds': 30,
      'spec.schedulerName': 'default-scheduler',
      'spec.securityContext': {},
      'spec.enableServiceLinks': true,
      'spec.containers.0.imagePullPolicy': 'IfNotPresent',
      'spec.containers.0.terminationMessagePath': '/dev/termination-log',
      'spec.containers.0.terminationMessagePolicy': 'File',
      'spec.containers.0.ports.0.protocol': 'TCP',
    },
  },
  {
    name: 'untagged image pulls Always',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].image = 'registry:5000/nginx')),
    want: { 'spec.containers.0.imagePullPolicy': 'Always' },
  },
  {
    name: ':latest pulls Always',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].image = 'nginx:latest')),
    want: { 'spec.containers.0.imagePullPolicy': 'Always' },
  },
  {
    name: 'digest pulls IfNotPresent',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].image = 'nginx@sha256:abc')),
    want: { 'spec.containers.0.imagePullPolicy': 'IfNotPresent' },
  },
  {
    name: 'explicit pull policy kept',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].imagePullPolicy = 'Never')),
    want: { 'spec.containers.0.imagePullPolicy': 'Never' },
  },
  {
    name: 'empty strings are defaulted like absent ones',
    rt: pods,
    body: makePod((p) => ((p.spec.restartPolicy = ''), (p.spec.containers[0].ports[0].protocol = ''))),
    want: { 'spec.restartPolicy': 'Always', 'spec.containers.0.ports.0.protocol': 'TCP' },
  },
  {
    name: 'requests default to limits',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].resources = { limits: { cpu: '1' }, requests: { memory: '1Gi' } })),
    want: { 'spec.containers.0.resources.requests': { cpu: '1', memory: '1Gi' } },
  },
  {
    name: 'probe defaults',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].readinessProbe = { httpGet: { port: 80 } })),
    want: {
      'spec.containers.0.readinessProbe': {
        httpGet: { port: 80, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
    },
  },
  {
    name: 'sourceless volume is an emptyDir',
    rt: pods,
    body: makePod((p) => (p.spec.volumes = [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }])),
    want: {
      'spec.volumes': [
        { name: 'scratch', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      ],
    },
  },
  {
    name: 'hostNetwork ports',
    rt: pods,
    body: makePod((p) => (p.spec.hostNetwork = true)),
    want: { 'spec.containers.0.ports.0.hostPort': 80 },
  },
  {
    name: 'podIP fills podIPs',
    rt: pods,
    body: makePod((p) => (p.status = { podIP: '10.4.0.3' })),
    want: { 'status.podIPs': [{ ip: '10.4.0.3' }] },
  },
  {
    name: 'service',
    rt: services,
    body: makeService(),
    want: {
      'spec.type': 'ClusterIP',
      'spec.sessionAffinity': 'None',
      'spec.internalTrafficPolicy': 'Cluster',
      'spec.externalTrafficPolicy': undefined,
      'spec.ipFamilyPolicy': undefined,
      'spec.ipFamilies': undefined,
      'spec.ports.0.protocol': 'TCP',
      'spec.ports.0.targetPort': 80,
    },
  },
  {
    name: 'NodePort traffic policy',
    rt: services,
    body: makeService((s) => (s.spec.type = 'NodePort')),
    want: { 'spec.externalTrafficPolicy': 'Cluster' },
  },
  {
    name: 'LoadBalancer node ports',
    rt: services,
    body: makeService((s) => (s.spec.type = 'LoadBalancer')),
    want: { 'spec.externalTrafficPolicy': 'Cluster', 'spec.allocateLoadBalancerNodePorts': true },
  },
  {
    name: 'ExternalName has no traffic policies',
    rt: services,
    body: makeService((s) => (s.spec = { type: 'ExternalName', externalName: 'x.com' })),
    want: { 'spec.internalTrafficPolicy': undefined, 'spec.externalTrafficPolicy': undefined },
  },
  {
    name: 'named targetPort kept',
    rt: services,
    body: makeService((s) => (s.spec.ports[0].targetPort = 'web')),
    want: { 'spec.ports.0.targetPort': 'web' },
  },
  {
    name: 'ClientIP affinity timeout',
    rt: services,
    body: makeService((s) => (s.spec.sessionAffinity = 'ClientIP')),
    want: { 'spec.sessionAffinityConfig': { clientIP: { timeoutSeconds: 10800 } } },
  },
  {
    name: 'endpoints port protocol',
    rt: endpoints,
    body: makeEndpoints(),
    want: { 'subsets.0.ports.0.protocol': 'TCP' },
  },
  {
    name: 'slice port name and protocol',
    rt: endpointSlices,
    body: makeSlice((s) => (s.ports = [{ port: 80 }])),
    want: { 'ports.0.protocol': 'TCP', 'ports.0.name': '' },
  },
  {
    name: 'namespace name label',
    rt: namespaces,
    body: { metadata: meta('store') },
    want: { 'metadata.labels': { 'kubernetes.io/metadata.name': 'store' }, 'status.phase': 'Active' },
  },
  {
    name: 'node allocatable and podCIDRs',
    rt: nodes,
    body: makeNode((n) => (n.status = { capacity: { cpu: '2', pods: '110' } })),
    want: { 'spec.podCIDRs': ['10.4.0.0/24'], 'status.allocatable': { cpu: '2', pods: '110' } },
  },
  {
    name: 'ingress class parameters scope',
    rt: ingressClasses,
    body: makeIngressClass((i) => (i.spec.parameters = { kind: 'P', name: 'p' })),
    want: { 'spec.parameters.scope': 'Cluster' },
  },
  {
    name: 'ingress pathType has no default',
    rt: ingresses,
    body: makeIngress((i) => delete i.spec.rules[0].http.paths[0].pathType),
    want: { 'spec.rules.0.http.paths.0.pathType': undefined },
  },
  {
    name: 'nulls are absent',
    rt: pods,
    body: makePod((p) => ((p.metadata.creationTimestamp = null), (p.spec.nodeName = null), (p.status = null))),
    want: { 'metadata.creationTimestamp': undefined, 'spec.nodeName': undefined, status: undefined },
  },
];
for (const tc of defaultCases) {
  test(`${tc.rt.kind} defaults: ${tc.name}`, () => {
    const obj = decode(tc.rt, tc.body);
    for (const [path, value] of Object.entries(tc.want)) assert.deepEqual(get(obj, path), value, path);
  });
}

test('decoding keeps fields kplane does not model', () => {
  const obj = decode(
    pods,
    makePod((p) => {
      p.spec.futureField = { a: 1 };
      p.spec.containers[0].securityContext = { runAsUser: 1000, capabilities: { add: ['NET_ADMIN'] } };
      p.spec.affinity = { nodeAffinity: { x: 1 } };
    }),
  );
  assert.deepEqual(obj.spec.futureField, { a: 1 });
  assert.deepEqual(obj.spec.containers[0].securityContext, { runAsUser: 1000, capabilities: { add: ['NET_ADMIN'] } });
  assert.deepEqual(obj.spec.affinity, { nodeAffinity: { x: 1 } });
});

test('schemas stay introspectable for strict field validation', () => {
  const podObject = PodSchema.out;
  assert.ok('spec' in podObject.shape && 'metadata' in podObject.shape);
  const spec = podObject.shape.spec.unwrap();
  assert.ok('containers' in spec.shape);
  assert.equal(isOpaque(spec), false);
  assert.equal(isOpaque(spec.shape.affinity.unwrap()), true);
  assert.equal(isOpaque(VolumeSchema), true, 'a defaulting opaque schema stays opaque');
});

/** A field of the wrong JSON type fails decoding (the registry answers 400). */
const shapeCases: { name: string; rt: AnyResource; body: unknown }[] = [
  { name: 'port as string', rt: services, body: makeService((s) => (s.spec.ports[0].port = '80')) },
  { name: 'ports not an array', rt: services, body: makeService((s) => (s.spec.ports = { port: 80 })) },
  { name: 'labels values not strings', rt: services, body: makeService((s) => (s.metadata.labels = { a: 1 })) },
  { name: 'containers not an array', rt: pods, body: makePod((p) => (p.spec.containers = 'web')) },
  {
    name: 'containerPort fractional',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].ports[0].containerPort = 80.5)),
  },
  {
    name: 'bad quantity',
    rt: pods,
    body: makePod((p) => (p.spec.containers[0].resources = { limits: { cpu: 'lots' } })),
  },
  { name: 'hostNetwork as string', rt: pods, body: makePod((p) => (p.spec.hostNetwork = 'true')) },
  { name: 'metadata not an object', rt: namespaces, body: { metadata: 'ns' } },
  { name: 'name not a string', rt: namespaces, body: { metadata: { name: 5 } } },
  {
    name: 'pathType not a string',
    rt: ingresses,
    body: makeIngress((i) => (i.spec.rules[0].http.paths[0].pathType = 1)),
  },
  { name: 'addresses not strings', rt: endpointSlices, body: makeSlice((s) => (s.endpoints[0].addresses = [1])) },
  { name: 'lease duration as string', rt: leases, body: makeLease((l) => (l.spec.leaseDurationSeconds = '40')) },
  { name: 'involvedObject not an object', rt: events, body: makeEvent((e) => (e.involvedObject = 'pod')) },
  { name: 'unschedulable as string', rt: nodes, body: makeNode((n) => (n.spec.unschedulable = 'yes')) },
  { name: 'subsets not an array', rt: endpoints, body: makeEndpoints((e) => (e.subsets = {})) },
  { name: 'controller not a string', rt: ingressClasses, body: makeIngressClass((i) => (i.spec.controller = true)) },
];
for (const tc of shapeCases) {
  test(`${tc.rt.kind} shape: ${tc.name} fails decoding`, () =>
    assert.equal(tc.rt.schema.safeParse(tc.body).success, false));
}

/** Updates that break an immutability rule report these fields; `fields: []` means the update is allowed. */
const updateCases: { name: string; rt: AnyResource; before: Body; after: Body; fields: string[]; message?: string }[] =
  [
    {
      name: 'image may change',
      rt: pods,
      before: makePod(),
      after: makePod((p) => (p.spec.containers[0].image = 'nginx:1.26')),
      fields: [],
    },
    {
      name: 'labels may change',
      rt: pods,
      before: makePod(),
      after: makePod((p) => (p.metadata.labels = { a: 'b' })),
      fields: [],
    },
    {
      name: 'toleration may be added',
      rt: pods,
      before: makePod(),
      after: makePod((p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists' }])),
      fields: [],
    },
    {
      name: 'toleration may not be removed',
      rt: pods,
      before: makePod((p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists' }])),
      after: makePod(),
      fields: ['spec.tolerations'],
    },
    {
      name: 'restartPolicy is immutable',
      rt: pods,
      before: makePod(),
      after: makePod((p) => (p.spec.restartPolicy = 'Never')),
      fields: ['spec'],
    },
    {
      name: 'containers may not be added',
      rt: pods,
      before: makePod(),
      after: makePod((p) => p.spec.containers.push({ name: 'side', image: 'x' })),
      fields: ['spec.containers'],
      message: 'Forbidden: pod updates may not add or remove containers',
    },
    {
      name: 'activeDeadlineSeconds may only shrink',
      rt: pods,
      before: makePod((p) => (p.spec.activeDeadlineSeconds = 60)),
      after: makePod((p) => (p.spec.activeDeadlineSeconds = 120)),
      fields: ['spec.activeDeadlineSeconds'],
    },
    {
      name: 'clusterIP is immutable once set',
      rt: services,
      before: makeService((s) => (s.spec.clusterIP = '10.0.0.5')),
      after: makeService((s) => ((s.spec.clusterIP = '10.0.0.6'), (s.spec.clusterIPs = ['10.0.0.6']))),
      fields: ['spec.clusterIP'],
      message: 'Invalid value: "10.0.0.6": field is immutable',
    },
    {
      name: 'clusterIP may be set when empty',
      rt: services,
      before: makeService(),
      after: makeService((s) => (s.spec.clusterIP = '10.0.0.6')),
      fields: [],
    },
    {
      name: 'clusterIP kept when a client omits clusterIPs',
      rt: services,
      before: makeService((s) => (s.spec.clusterIP = '10.0.0.5')),
      after: makeService((s) => (s.spec.clusterIP = '10.0.0.5')),
      fields: [],
    },
    {
      name: 'switching to ExternalName drops the clusterIP',
      rt: services,
      before: makeService((s) => (s.spec.clusterIP = '10.0.0.5')),
      after: makeService(
        (s) => (
          (s.spec.type = 'ExternalName'),
          (s.spec.externalName = 'db.example.com'),
          (s.spec.clusterIP = '10.0.0.5'),
          (s.spec.clusterIPs = ['10.0.0.5'])
        ),
      ),
      fields: [],
    },
    {
      name: 'podCIDR may be set once',
      rt: nodes,
      before: makeNode((n) => delete n.spec.podCIDR),
      after: makeNode(),
      fields: [],
    },
    {
      name: 'podCIDR may not change',
      rt: nodes,
      before: makeNode(),
      after: makeNode((n) => (n.spec.podCIDR = '10.4.1.0/24')),
      fields: ['spec.podCIDRs'],
    },
    {
      name: 'ingress rules may change',
      rt: ingresses,
      before: makeIngress(),
      after: makeIngress((i) => (i.spec.rules[0].host = 'other.example.com')),
      fields: [],
    },
    {
      name: 'ingress class controller is immutable',
      rt: ingressClasses,
      before: makeIngressClass(),
      after: makeIngressClass((i) => (i.spec.controller = 'example.com/other')),
      fields: ['spec.controller'],
    },
    {
      name: 'slice addressType is immutable',
      rt: endpointSlices,
      before: makeSlice(),
      after: makeSlice((s) => ((s.addressType = 'FQDN'), (s.endpoints[0].addresses = ['a.example.com']))),
      fields: ['addressType'],
    },
  ];
for (const tc of updateCases) {
  test(`${tc.rt.kind} update: ${tc.name}`, () => {
    const { causes } = update(tc.rt, tc.before, tc.after);
    assert.deepEqual(
      causes.map((c) => c.field),
      tc.fields,
      JSON.stringify(causes, null, 1),
    );
    if (tc.message) assert.equal(causes[0].message, tc.message);
  });
}

test('Service update: ExternalName switch clears clusterIPs and load-balancer status', () => {
  const { obj } = update(
    services,
    makeService((s) => ((s.spec.type = 'LoadBalancer'), (s.spec.clusterIP = '10.0.0.5'))),
    makeService(
      (s) => (
        (s.spec.type = 'ExternalName'),
        (s.spec.externalName = 'x.com'),
        (s.spec.clusterIP = '10.0.0.5'),
        (s.status = { loadBalancer: { ingress: [{ ip: '203.0.113.4' }] } })
      ),
    ),
  );
  assert.equal(obj.spec.clusterIP, undefined);
  assert.equal(obj.spec.clusterIPs, undefined);
  assert.equal(obj.spec.allocateLoadBalancerNodePorts, undefined);
  assert.deepEqual(obj.status.loadBalancer, {});
});

test('Pod create: status reset to Pending with its QoS class', () => {
  const cases: { resources?: Body; qos: string }[] = [
    { qos: 'BestEffort' },
    { resources: { requests: { cpu: '100m' } }, qos: 'Burstable' },
    { resources: { limits: { cpu: '1', memory: '1Gi' } }, qos: 'Guaranteed' },
    { resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, qos: 'Burstable' },
  ];
  for (const tc of cases) {
    const { obj } = create(
      pods,
      makePod(
        (p) => ((p.spec.containers[0].resources = tc.resources), (p.status = { phase: 'Running', podIP: '1.2.3.4' })),
      ),
    );
    assert.deepEqual(obj.status, { phase: 'Pending', qosClass: tc.qos }, JSON.stringify(tc.resources));
  }
});

test('Pod create: scheduling gates add the SchedulingGated condition', () => {
  const { obj } = create(
    pods,
    makePod((p) => (p.spec.schedulingGates = [{ name: 'example.com/wait' }])),
  );
  assert.equal(obj.status.conditions[0].reason, 'SchedulingGated');
});

test('Service and Ingress create: status reset to an empty load balancer', () => {
  for (const [rt, body] of [
    [services, makeService()],
    [ingresses, makeIngress()],
  ] as const) {
    const { obj } = create(rt, { ...body, status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } } });
    assert.deepEqual(obj.status, { loadBalancer: {} });
  }
});

test('Service create: clusterIPs follows clusterIP', () => {
  assert.deepEqual(
    create(
      services,
      makeService((s) => (s.spec.clusterIP = '10.0.0.10')),
    ).obj.spec.clusterIPs,
    ['10.0.0.10'],
  );
});

test('Namespace: kubernetes finalizer on create, kept on update, name label on canonicalize', () => {
  const { obj } = create(namespaces, { metadata: meta('store'), spec: { finalizers: ['example.com/x'] } });
  assert.deepEqual(obj.spec.finalizers, ['example.com/x', 'kubernetes']);
  const next = decode(namespaces, { metadata: meta('store'), spec: { finalizers: [] } });
  namespaces.strategy.prepareForUpdate?.(next, obj);
  assert.deepEqual(next.spec.finalizers, ['example.com/x', 'kubernetes']);
  const generated = decode(namespaces, { metadata: { generateName: 'tmp-' } });
  generated.metadata.name = 'tmp-x1';
  namespaces.strategy.canonicalize?.(generated);
  assert.equal(generated.metadata.labels['kubernetes.io/metadata.name'], 'tmp-x1');
});

test('Endpoints canonicalize repacks subsets by port set', () => {
  const repacked = repackSubsets([
    {
      addresses: [{ ip: '10.0.0.3' }],
      ports: [
        { name: 'b', port: 81, protocol: 'TCP' },
        { name: 'a', port: 80, protocol: 'TCP' },
      ],
    },
    {
      addresses: [{ ip: '10.0.0.1' }],
      notReadyAddresses: [{ ip: '10.0.0.2' }],
      ports: [
        { name: 'a', port: 80, protocol: 'TCP' },
        { name: 'b', port: 81, protocol: 'TCP' },
      ],
    },
    { addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'c', port: 90, protocol: 'UDP' }] },
    { notReadyAddresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'b', port: 81, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(repacked, [
    {
      addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.3' }],
      notReadyAddresses: [{ ip: '10.0.0.2' }],
      ports: [
        { name: 'a', port: 80, protocol: 'TCP' },
        { name: 'b', port: 81, protocol: 'TCP' },
      ],
    },
    { addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'c', port: 90, protocol: 'UDP' }] },
  ]);
  const ep = decode(
    endpoints,
    makeEndpoints((e) => e.subsets.push({ addresses: [{ ip: '10.11.0.1' }], ports: [{ name: 'http', port: 80 }] })),
  );
  endpoints.strategy.canonicalize?.(ep);
  assert.deepEqual(
    ep.subsets[0].addresses.map((a: Body) => a.ip),
    ['10.11.0.1', '10.11.0.9'],
  );
});

const selectableCases: { rt: AnyResource; body: Body; want: Record<string, string> }[] = [
  {
    rt: pods,
    body: makePod((p) => ((p.spec.nodeName = 'vm1'), (p.status = { phase: 'Running', podIP: '10.4.0.3' }))),
    want: {
      'spec.nodeName': 'vm1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': '',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.4.0.3',
      'status.nominatedNodeName': '',
    },
  },
  {
    rt: services,
    body: makeService((s) => (s.spec.clusterIP = '10.0.0.5')),
    want: { 'spec.type': 'ClusterIP', 'spec.clusterIP': '10.0.0.5' },
  },
  { rt: nodes, body: makeNode((n) => (n.spec.unschedulable = true)), want: { 'spec.unschedulable': 'true' } },
  { rt: namespaces, body: { metadata: meta('a') }, want: { 'status.phase': 'Active' } },
  {
    rt: events,
    body: makeEvent((e) => (e.source = { component: 'kubelet' })),
    want: {
      'involvedObject.kind': 'Pod',
      'involvedObject.namespace': 'default',
      'involvedObject.name': 'web',
      'involvedObject.uid': '',
      'involvedObject.apiVersion': '',
      'involvedObject.resourceVersion': '',
      'involvedObject.fieldPath': '',
      reason: 'Scheduled',
      reportingComponent: '',
      source: 'kubelet',
      type: 'Normal',
    },
  },
];
for (const tc of selectableCases) {
  test(`${tc.rt.kind}: selectable fields`, () => {
    const {
      'metadata.name': _name,
      'metadata.namespace': _namespace,
      ...own
    } = fieldsOf(tc.rt, decode(tc.rt, tc.body));
    assert.deepEqual(own, tc.want);
  });
}

const identity: [
  kind: string,
  plural: string,
  group: string,
  namespaced: boolean,
  shortNames: string[] | undefined,
  hasStatus: boolean,
  nameRule: string,
  unconditional: boolean,
][] = [
  ['Namespace', 'namespaces', '', false, ['ns'], true, 'label', true],
  ['Node', 'nodes', '', false, ['no'], true, 'subdomain', true],
  ['Pod', 'pods', '', true, ['po'], true, 'subdomain', true],
  ['Service', 'services', '', true, ['svc'], true, 'label', true],
  ['Endpoints', 'endpoints', '', true, ['ep'], false, 'subdomain', true],
  ['Event', 'events', '', true, ['ev'], false, 'path', true],
  ['EndpointSlice', 'endpointslices', 'discovery.k8s.io', true, undefined, false, 'subdomain', true],
  ['Ingress', 'ingresses', 'networking.k8s.io', true, ['ing'], true, 'subdomain', true],
  ['IngressClass', 'ingressclasses', 'networking.k8s.io', false, undefined, false, 'subdomain', true],
  ['Lease', 'leases', 'coordination.k8s.io', true, undefined, false, 'subdomain', false],
  ['Route', 'routes', 'compute.kplane.io', false, undefined, false, 'subdomain', true],
  ['Firewall', 'firewalls', 'compute.kplane.io', false, undefined, false, 'subdomain', true],
  ['ForwardingRule', 'forwardingrules', 'compute.kplane.io', false, undefined, true, 'subdomain', true],
  [
    'CustomResourceDefinition',
    'customresourcedefinitions',
    'apiextensions.k8s.io',
    false,
    ['crd', 'crds'],
    true,
    'subdomain',
    false,
  ],
  ['NodeDataplane', 'nodedataplanes', 'network.kplane.io', false, ['ndp'], false, 'subdomain', false],
  ['PacketTrace', 'packettraces', 'network.kplane.io', false, ['trace'], false, 'subdomain', false],
  ['Binding', 'bindings', '', true, undefined, false, 'subdomain', false],
];
test('builtinKinds lists the seventeen kinds with their upstream identity', () => {
  const got = builtinKinds.map((rt: ResourceType<KubeObject>) => [
    rt.kind,
    rt.plural,
    rt.group,
    rt.namespaced,
    rt.shortNames,
    rt.hasStatus,
    rt.nameRule,
    rt.allowUnconditionalUpdate,
  ]);
  assert.deepEqual(got, identity);
  assert.deepEqual(
    builtinKinds.filter((rt) => rt.categories?.includes('all')).map((rt) => rt.plural),
    ['pods', 'services'],
  );
});
