import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/object.js';
import { endpointsTable } from '../../src/registry/kinds/endpoints/table.js';
import { endpointSliceTable } from '../../src/registry/kinds/endpointslice/table.js';
import { eventTable } from '../../src/registry/kinds/event/table.js';
import { ingressTable } from '../../src/registry/kinds/ingress/table.js';
import { ingressClassTable } from '../../src/registry/kinds/ingressclass/table.js';
import { leaseTable } from '../../src/registry/kinds/lease/table.js';
import { namespaceTable } from '../../src/registry/kinds/namespace/table.js';
import { nodeTable } from '../../src/registry/kinds/node/table.js';
import { podTable } from '../../src/registry/kinds/pod/table.js';
import { serviceTable } from '../../src/registry/kinds/service/table.js';
import { humanDuration, type TableConvertor } from '../../src/registry/table.js';

const NOW = Date.parse('2024-05-10T12:00:00Z');
const FIVE_MIN_AGO = '2024-05-10T11:55:00Z';
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: FIVE_MIN_AGO });

describe('humanDuration (apimachinery HumanDuration)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h + 5 * m, '3h5m'],
    [7 * h, '7h'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d, '7d'],
    [60 * d + 5 * h, '60d'],
    [2 * 365 * d + 30 * d, '2y30d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) test(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

interface RowCase {
  name: string;
  obj: unknown;
  /** Expected cells; `undefined` entries are not checked. */
  cells: (string | number | undefined)[];
}

function checkRows(convertor: TableConvertor<any>, cases: RowCase[]): void {
  test('one cell per column', () => {
    for (const tc of cases)
      assert.equal(convertor.cells(tc.obj as KubeObject, NOW).length, convertor.columns.length, tc.name);
  });
  for (const tc of cases) {
    test(tc.name, () => {
      const cells = convertor.cells(tc.obj as KubeObject, NOW);
      tc.cells.forEach(
        (want, i) =>
          want !== undefined &&
          assert.equal(cells[i], want, `cell ${i} (${convertor.columns[i].name}) of ${JSON.stringify(cells)}`),
      );
    });
  }
}

const container = (name: string, extra: object = {}) => ({ name, image: 'nginx', ...extra });
const running = (name: string, ready = true, extra: object = {}) => ({
  name,
  ready,
  restartCount: 0,
  state: { running: { startedAt: FIVE_MIN_AGO } },
  ...extra,
});
const pod = (spec: object, status: object, metadata: object = {}) => ({
  metadata: { ...meta('p'), ...metadata },
  spec: { containers: [container('c')], ...spec },
  status,
});

describe('pods: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES', () => {
  test('columns', () => {
    assert.deepEqual(
      podTable.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
  });
  checkRows(podTable, [
    {
      name: 'new pod',
      obj: pod({}, { phase: 'Pending' }),
      cells: ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'running and ready',
      obj: pod(
        { nodeName: 'vm1' },
        { phase: 'Running', podIP: '10.4.0.5', podIPs: [{ ip: '10.4.0.5' }], containerStatuses: [running('c')] },
      ),
      cells: ['p', '1/1', 'Running', '0', '5m', '10.4.0.5', 'vm1', '<none>', '<none>'],
    },
    {
      name: 'container being created',
      obj: pod(
        {},
        {
          phase: 'Pending',
          containerStatuses: [
            { name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
          ],
        },
      ),
      cells: ['p', '0/1', 'ContainerCreating'],
    },
    {
      name: 'restarts say when the last one was',
      obj: pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [
            running('c', true, {
              restartCount: 2,
              lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-10T11:57:00Z' } },
            }),
          ],
        },
      ),
      cells: ['p', '1/1', 'Running', '2 (3m ago)'],
    },
    {
      name: 'completed',
      obj: pod(
        {},
        {
          phase: 'Succeeded',
          containerStatuses: [
            { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
      ),
      cells: ['p', '0/1', 'Completed'],
    },
    {
      name: 'exit code without reason',
      obj: pod(
        {},
        {
          phase: 'Failed',
          containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }],
        },
      ),
      cells: [undefined, '0/1', 'ExitCode:137'],
    },
    {
      name: 'signal without reason',
      obj: pod(
        {},
        {
          phase: 'Failed',
          containerStatuses: [
            { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, signal: 9 } } },
          ],
        },
      ),
      cells: [undefined, undefined, 'Signal:9'],
    },
    {
      name: 'second init container running',
      obj: pod(
        { initContainers: [container('i1'), container('i2')] },
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'i2', ready: false, restartCount: 0, state: { running: {} } },
          ],
        },
      ),
      cells: ['p', '0/1', 'Init:1/2'],
    },
    {
      name: 'init container crash-looping',
      obj: pod(
        { initContainers: [container('i1')] },
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
        },
      ),
      cells: ['p', '0/1', 'Init:CrashLoopBackOff', '4'],
    },
    {
      name: 'init container failed',
      obj: pod(
        { initContainers: [container('i1')] },
        {
          phase: 'Failed',
          initContainerStatuses: [
            { name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } },
          ],
        },
      ),
      cells: ['p', '0/1', 'Init:Error'],
    },
    {
      name: 'a started sidecar counts among the containers',
      obj: pod(
        { initContainers: [container('side', { restartPolicy: 'Always' })] },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [{ ...running('side'), started: true }],
          containerStatuses: [running('c')],
        },
      ),
      cells: ['p', '2/2', 'Running'],
    },
    {
      name: 'one container done, one still running and ready',
      obj: pod(
        { containers: [container('a'), container('b')] },
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            running('a'),
            { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
      ),
      cells: ['p', '1/2', 'Running'],
    },
    {
      name: 'being deleted',
      obj: pod({}, { phase: 'Running', containerStatuses: [running('c')] }, { deletionTimestamp: FIVE_MIN_AGO }),
      cells: ['p', '1/1', 'Terminating'],
    },
    {
      name: 'lost node while deleted',
      obj: pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: FIVE_MIN_AGO }),
      cells: ['p', '0/1', 'Unknown'],
    },
    {
      name: 'scheduling gated',
      obj: pod(
        {},
        { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
      ),
      cells: ['p', '0/1', 'SchedulingGated'],
    },
    {
      name: 'readiness gates and nominated node',
      obj: pod(
        { readinessGates: [{ conditionType: 'lb/ready' }, { conditionType: 'other' }] },
        { phase: 'Pending', nominatedNodeName: 'vm2', conditions: [{ type: 'lb/ready', status: 'True' }] },
      ),
      cells: [undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'vm2', '1/2'],
    },
  ]);
});

const svc = (spec: object, status: object = {}) => ({
  metadata: meta('s'),
  spec: { type: 'ClusterIP', ...spec },
  status,
});

describe('services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR', () => {
  test('columns', () =>
    assert.deepEqual(
      serviceTable.columns.map((c) => c.name),
      ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    ));
  checkRows(serviceTable, [
    {
      name: 'ClusterIP',
      obj: svc({
        clusterIPs: ['10.0.0.10'],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
        selector: { 'k8s-app': 'kube-dns', a: 'b' },
      }),
      cells: ['s', 'ClusterIP', '10.0.0.10', '<none>', '53/UDP,53/TCP', '5m', 'a=b,k8s-app=kube-dns'],
    },
    {
      name: 'NodePort',
      obj: svc({ type: 'NodePort', clusterIPs: ['10.0.0.7'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }),
      cells: ['s', 'NodePort', '10.0.0.7', '<none>', '80:30080/TCP', '5m', '<none>'],
    },
    {
      name: 'ClusterIP with external IPs',
      obj: svc({ clusterIPs: ['10.0.0.7'], externalIPs: ['1.2.3.4', '5.6.7.8'] }),
      cells: [undefined, undefined, undefined, '1.2.3.4,5.6.7.8', '<none>'],
    },
    {
      name: 'LoadBalancer without ingress',
      obj: svc(
        { type: 'LoadBalancer', clusterIPs: ['10.0.0.8'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] },
        { loadBalancer: {} },
      ),
      cells: [undefined, 'LoadBalancer', '10.0.0.8', '<pending>', '443:31443/TCP'],
    },
    {
      name: 'LoadBalancer with ingress points (sorted, distinct) and external IPs',
      obj: svc(
        { type: 'LoadBalancer', externalIPs: ['9.9.9.9'] },
        { loadBalancer: { ingress: [{ ip: '35.1.2.3' }, { hostname: 'lb.example.com' }, { ip: '35.1.2.3' }] } },
      ),
      cells: [undefined, undefined, '<none>', '35.1.2.3,lb.example.com,9.9.9.9'],
    },
    {
      name: 'ExternalName',
      obj: svc({ type: 'ExternalName', externalName: 'db.example.com' }),
      cells: [undefined, 'ExternalName', '<none>', 'db.example.com'],
    },
    { name: 'headless', obj: svc({ clusterIP: 'None', clusterIPs: ['None'] }), cells: [undefined, undefined, 'None'] },
  ]);
});

const ep = (subsets: unknown) => ({ metadata: meta('e'), subsets });

describe('endpoints: NAME ENDPOINTS AGE', () => {
  checkRows(endpointsTable, [
    { name: 'no subsets', obj: ep(undefined), cells: ['e', '<none>', '5m'] },
    {
      name: 'one address',
      obj: ep([{ addresses: [{ ip: '10.240.0.1' }], ports: [{ port: 6443, protocol: 'TCP' }] }]),
      cells: ['e', '10.240.0.1:6443'],
    },
    {
      name: 'more than three',
      obj: ep([
        {
          addresses: ['10.4.0.5', '10.4.1.5', '10.4.2.5', '10.4.3.5'].map((ip) => ({ ip })),
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      ]),
      cells: ['e', '10.4.0.5:80,10.4.1.5:80,10.4.2.5:80 + 1 more...'],
    },
    {
      name: 'every port of every address',
      obj: ep([{ addresses: [{ ip: '10.4.0.5' }, { ip: '10.4.1.5' }], ports: [{ port: 80 }, { port: 443 }] }]),
      cells: ['e', '10.4.0.5:80,10.4.1.5:80,10.4.0.5:443 + 1 more...'],
    },
    {
      name: 'port-less subset and IPv6',
      obj: ep([{ addresses: [{ ip: '10.4.0.5' }] }, { addresses: [{ ip: 'fd00::5' }], ports: [{ port: 80 }] }]),
      cells: ['e', '10.4.0.5,[fd00::5]:80'],
    },
    {
      name: 'only not-ready addresses',
      obj: ep([{ notReadyAddresses: [{ ip: '10.4.0.5' }], ports: [{ port: 80 }] }]),
      cells: ['e', ''],
    },
  ]);
});

describe('endpointslices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
  checkRows(endpointSliceTable, [
    {
      name: 'ports and addresses',
      obj: {
        metadata: meta('web-abc'),
        addressType: 'IPv4',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'any', protocol: 'TCP' },
        ],
        endpoints: [{ addresses: ['10.4.0.5'] }, { addresses: ['10.4.1.5'] }],
      },
      cells: ['web-abc', 'IPv4', '80,any', '10.4.0.5,10.4.1.5', '5m'],
    },
    {
      name: 'empty',
      obj: { metadata: meta('x'), addressType: 'IPv4', endpoints: [] },
      cells: ['x', 'IPv4', '<unset>', '<unset>'],
    },
  ]);
});

const node = (metadata: object, spec: object, status: object) => ({
  metadata: { ...meta('vm1'), ...metadata },
  spec,
  status,
});
const info = {
  kubeletVersion: 'v1.32.0',
  osImage: 'Ubuntu 22.04',
  kernelVersion: '6.6.0',
  containerRuntimeVersion: 'containerd://1.7.0',
};

describe('nodes: NAME STATUS ROLES AGE VERSION | INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME', () => {
  test('columns', () => {
    assert.deepEqual(
      nodeTable.columns.map((c) => `${c.name}:${c.priority}`),
      [
        'Name:0',
        'Status:0',
        'Roles:0',
        'Age:0',
        'Version:0',
        'Internal-IP:1',
        'External-IP:1',
        'OS-Image:1',
        'Kernel-Version:1',
        'Container-Runtime:1',
      ],
    );
  });
  checkRows(nodeTable, [
    {
      name: 'ready worker',
      obj: node(
        {},
        {},
        {
          conditions: [
            { type: 'MemoryPressure', status: 'False' },
            { type: 'Ready', status: 'True' },
          ],
          addresses: [
            { type: 'InternalIP', address: '10.240.0.2' },
            { type: 'ExternalIP', address: '35.0.0.2' },
          ],
          nodeInfo: info,
        },
      ),
      cells: [
        'vm1',
        'Ready',
        '<none>',
        '5m',
        'v1.32.0',
        '10.240.0.2',
        '35.0.0.2',
        'Ubuntu 22.04',
        '6.6.0',
        'containerd://1.7.0',
      ],
    },
    {
      name: 'cordoned, not ready, with roles',
      obj: node(
        {
          labels: {
            'node-role.kubernetes.io/control-plane': '',
            'node-role.kubernetes.io/': '',
            'kubernetes.io/role': 'master',
          },
        },
        { unschedulable: true },
        { conditions: [{ type: 'Ready', status: 'False' }] },
      ),
      cells: [
        'vm1',
        'NotReady,SchedulingDisabled',
        'control-plane,master',
        '5m',
        '',
        '<none>',
        '<none>',
        '<unknown>',
        '<unknown>',
        '<unknown>',
      ],
    },
    { name: 'no conditions yet', obj: node({}, {}, {}), cells: ['vm1', 'Unknown'] },
  ]);
});

describe('namespaces: NAME STATUS AGE', () => {
  checkRows(namespaceTable, [
    {
      name: 'active',
      obj: { metadata: meta('default'), spec: {}, status: { phase: 'Active' } },
      cells: ['default', 'Active', '5m'],
    },
    {
      name: 'terminating',
      obj: { metadata: meta('old'), spec: {}, status: { phase: 'Terminating' } },
      cells: ['old', 'Terminating', '5m'],
    },
  ]);
});

const ingress = (spec: object, status: object = {}) => ({ metadata: meta('ing'), spec, status });

describe('ingresses: NAME CLASS HOSTS ADDRESS PORTS AGE', () => {
  checkRows(ingressTable, [
    {
      name: 'default backend only',
      obj: ingress({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } }),
      cells: ['ing', '<none>', '*', '', '80', '5m'],
    },
    {
      name: 'hosts, TLS and an address',
      obj: ingress(
        { ingressClassName: 'gce', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com' }, {}] },
        { loadBalancer: { ingress: [{ ip: '35.9.9.9' }] } },
      ),
      cells: ['ing', 'gce', 'a.example.com', '35.9.9.9', '80, 443'],
    },
    {
      name: 'more than three hosts',
      obj: ingress({ rules: ['a', 'b', 'c', 'd', 'e'].map((h) => ({ host: `${h}.io` })) }),
      cells: [undefined, undefined, 'a.io,b.io,c.io + 2 more...'],
    },
  ]);
});

describe('ingressclasses: NAME CONTROLLER PARAMETERS AGE', () => {
  checkRows(ingressClassTable, [
    {
      name: 'no parameters',
      obj: { metadata: meta('gce'), spec: { controller: 'k8s.io/ingress-gce' } },
      cells: ['gce', 'k8s.io/ingress-gce', '<none>', '5m'],
    },
    {
      name: 'parameters with a group',
      obj: {
        metadata: meta('x'),
        spec: { controller: 'c', parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p1' } },
      },
      cells: ['x', 'c', 'Params.k8s.example.com/p1'],
    },
    {
      name: 'parameters without a group',
      obj: { metadata: meta('x'), spec: { parameters: { kind: 'ConfigMap', name: 'cm' } } },
      cells: ['x', '', 'ConfigMap/cm'],
    },
  ]);
});

describe('leases: NAME HOLDER AGE', () => {
  checkRows(leaseTable, [
    {
      name: 'held',
      obj: { metadata: meta('kplane-controllers'), spec: { holderIdentity: 'host_1234' } },
      cells: ['kplane-controllers', 'host_1234', '5m'],
    },
    { name: 'free', obj: { metadata: meta('l') }, cells: ['l', '', '5m'] },
  ]);
});

const event = (extra: object) => ({
  metadata: meta('web.17c'),
  involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{web}' },
  reportingComponent: '',
  reportingInstance: '',
  ...extra,
});

describe('events: LAST SEEN TYPE REASON OBJECT | SUBOBJECT SOURCE | MESSAGE | FIRST SEEN COUNT NAME', () => {
  test('columns', () => {
    assert.deepEqual(
      eventTable.columns.map((c) => `${c.name}:${c.priority}`),
      [
        'Last Seen:0',
        'Type:0',
        'Reason:0',
        'Object:0',
        'Subobject:1',
        'Source:1',
        'Message:0',
        'First Seen:1',
        'Count:1',
        'Name:1',
      ],
    );
  });
  checkRows(eventTable, [
    {
      name: 'core/v1 event',
      obj: event({
        type: 'Normal',
        reason: 'Started',
        message: ' Started container web\n',
        source: { component: 'kubelet', host: 'vm1' },
        firstTimestamp: '2024-05-10T11:50:00Z',
        lastTimestamp: '2024-05-10T11:59:30Z',
        count: 3,
      }),
      cells: [
        '30s',
        'Normal',
        'Started',
        'pod/web',
        'spec.containers{web}',
        'kubelet, vm1',
        'Started container web',
        '10m',
        3,
        'web.17c',
      ],
    },
    {
      name: 'events.k8s.io event with a series',
      obj: event({
        type: 'Warning',
        reason: 'BackOff',
        eventTime: '2024-05-10T11:58:00.000000Z',
        series: { count: 7, lastObservedTime: '2024-05-10T11:59:50.000000Z' },
        reportingComponent: 'kubelet',
        reportingInstance: '',
      }),
      cells: ['10s', 'Warning', 'BackOff', undefined, undefined, 'kubelet', undefined, '2m', 7],
    },
    {
      name: 'no times at all, no name',
      obj: event({ involvedObject: { kind: 'Node' } }),
      cells: ['<unknown>', '', '', 'node', '', '', '', '<unknown>', 1],
    },
  ]);
});
