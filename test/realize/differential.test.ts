/**
 * The differential check: the scenarios of docs/network-model.md#scenarios traced by the simulator and
 * sent as real packets through the same cluster realized in network namespaces (one realization,
 * reused by every scenario), with zero disagreements; and the same check catching a simulator fed
 * broken rules. Needs root, network namespaces and br_netfilter; elsewhere the kernel tests are
 * skipped, saying why. The comparison itself is tested on hand-made samples everywhere.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import {
  compareScenario,
  formatDisagreements,
  realizeInputFromCluster,
  runScenario,
  SourcePorts,
  type DifferentialDeps,
  type Disagreement,
  type FlowSample,
  type Scenario,
  type ScenarioReport,
} from './differential.js';
import { realize, unsupportedReason, type Realized } from '../../src/dataplane/realize/netns.js';
import { probe, type ProbeResult } from '../../src/dataplane/realize/probe.js';
import { endpointChainHash, serviceChainHash, servicePortName } from '../../src/dataplane/kube-proxy/names.js';
import type { PacketTraceStatus } from '../../src/registry/kinds/packettrace/schema.js';
import { OWNER_NAME_LABEL } from '../../controllers/cloud-lb/desired.js';
import { startTraceCluster, type ClusterFixture, type RuleFault, type TraceCluster } from '../helpers/trace-cluster.js';

const unsupported = await unsupportedReason();

function skipped(t: TestContext): boolean {
  if (unsupported) t.skip(`cannot realize network namespaces here: ${unsupported}`);
  return unsupported !== undefined;
}

/** The pods `lb-local` and `lb-stale` select: one on vm1, two on vm2, none on vm3 (the talk's imbalance, S91). */
const LB_PODS = [
  { name: 'lb-1', node: 'vm1', ip: '10.11.0.40', labels: { app: 'lb' } },
  { name: 'lb-2', node: 'vm2', ip: '10.11.5.40', labels: { app: 'lb' } },
  { name: 'lb-3', node: 'vm2', ip: '10.11.5.41', labels: { app: 'lb' } },
];

const service = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec,
});
const http = (nodePort: number) => [{ name: 'http', port: 80, targetPort: 80, nodePort, protocol: 'TCP' }];

/**
 * The reference cluster (the golden traces' fixture) extended, additively, with what the rows need:
 * Services for scenarios 7, 19 and 20, a firewall rule for the NodePorts, and three network load
 * balancers (the service-lb controller makes their forwarding rules and firewalls; it is paused
 * once set up so that `lb-stale`'s health can be made stale, see `startCluster`).
 */
function fixture(faults?: RuleFault[]): ClusterFixture {
  const base = (
    load(readFileSync(new URL('../tracer/golden/_fixture.yaml', import.meta.url), 'utf8')) as {
      cluster: ClusterFixture;
    }
  ).cluster;
  return {
    ...base,
    config: { ...base.config, loadBalancerIPPool: '86.75.30.0/24' },
    pods: [...(base.pods ?? []), ...LB_PODS],
    objects: [
      ...(base.objects ?? []),
      service('empty', {
        clusterIP: '10.9.3.80',
        selector: { app: 'nothing' },
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      }),
      service('db', {
        clusterIP: '10.9.3.110',
        selector: { app: 'db' },
        internalTrafficPolicy: 'Local',
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      }),
      service('store-np', {
        type: 'NodePort',
        clusterIP: '10.9.3.79',
        selector: { app: 'store', role: 'be' },
        ports: http(31380),
      }),
      service('db-np', {
        type: 'NodePort',
        clusterIP: '10.9.3.111',
        externalTrafficPolicy: 'Local',
        selector: { app: 'db' },
        ports: [{ name: 'pg', port: 5432, targetPort: 5432, nodePort: 31382, protocol: 'TCP' }],
      }),
      {
        apiVersion: 'compute.kplane.io/v1alpha1',
        kind: 'Firewall',
        metadata: { name: 'allow-nodeports' },
        spec: { sourceRanges: ['0.0.0.0/0'], allowed: [{ protocol: 'tcp', ports: ['31380-31382'] }] },
      },
      service('store-lb', {
        type: 'LoadBalancer',
        clusterIP: '10.9.3.77',
        loadBalancerIP: '86.75.30.9',
        selector: { app: 'store', role: 'be' },
        ports: http(31384),
      }),
      service('lb-local', {
        type: 'LoadBalancer',
        clusterIP: '10.9.3.78',
        loadBalancerIP: '86.75.30.10',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32012,
        selector: { app: 'lb' },
        ports: http(31385),
      }),
      service('lb-stale', {
        type: 'LoadBalancer',
        clusterIP: '10.9.3.81',
        loadBalancerIP: '86.75.30.11',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32013,
        selector: { app: 'lb' },
        ports: http(31386),
      }),
    ],
    pauseAfterSetup: ['service-lb'],
    faults,
  };
}

/**
 * The fixture's cluster, with `lb-stale`'s forwarding rule still sending to vm3, whose health check
 * has not failed yet (scenario 17): the paused controller leaves the patched status alone.
 */
async function startCluster(faults?: RuleFault[]): Promise<TraceCluster> {
  const cluster = await startTraceCluster(fixture(faults));
  try {
    const rules = (await cluster.client.list('ForwardingRule', {})).filter(
      (fr) => fr.metadata.labels?.[OWNER_NAME_LABEL] === 'lb-stale',
    );
    assert.equal(rules.length, 1, 'lb-stale has one forwarding rule');
    const backends = ['vm1', 'vm2', 'vm3'].map((node) => ({
      node,
      healthy: true,
      reason: node === 'vm3' ? 'health check not failed yet' : 'localEndpoints > 0',
    }));
    await cluster.client.patch(
      'ForwardingRule',
      { name: rules[0].metadata.name! },
      { status: { backends } },
      { subresource: 'status' },
    );
    await cluster.dataplane.api.catchUp();
    return cluster;
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

/** Flows per row where iptables chooses at random: P(a 1/3 backend is never hit) = (2/3)^40 ≈ 1e-7. */
const RANDOM_FLOWS = 40;
const STORE_BE_VIP = '10.9.3.76';
const CLIENT_IP = '198.51.100.7';

interface Row {
  /** docs/network-model.md#scenarios number(s), or `-` for a path the list does not have. */
  section: string;
  scenario: Scenario;
  /** The outcomes the kernel must show (a sanity check that the row tests what it says, beside the agreement). */
  want: Outcome[];
}

type Outcome = 'Delivered' | 'Dropped';

const row = (section: string, want: Outcome | Outcome[], scenario: Scenario): Row => ({
  section,
  want: [want].flat(),
  scenario,
});

const ROWS: Row[] = [
  row('1', 'Delivered', {
    name: 'pod → pod on the same node',
    from: { pod: 'default/store-be-1' },
    to: { ip: '10.11.0.18', port: 5432 },
  }),
  row('2', 'Delivered', {
    name: 'pod → pod across nodes',
    from: { pod: 'default/store-be-1' },
    to: { ip: '10.11.8.67', port: 80 },
  }),
  row('5', 'Delivered', {
    name: 'pod → Service VIP, 3 endpoints',
    from: { pod: 'default/store-fe-1' },
    to: { ip: STORE_BE_VIP, port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('5', 'Delivered', {
    name: 'node process → Service VIP (masqueraded)',
    from: { node: 'vm2' },
    to: { ip: STORE_BE_VIP, port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('6', 'Delivered', {
    name: 'endpoint → its own Service VIP (hairpin)',
    from: { pod: 'default/store-be-1' },
    to: { ip: STORE_BE_VIP, port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('7', 'Dropped', {
    name: 'Service with no endpoints (REJECT)',
    from: { pod: 'default/store-be-1' },
    to: { ip: '10.9.3.80', port: 80 },
  }),
  row('8', 'Dropped', {
    name: 'VIP on a port the Service does not have',
    from: { pod: 'default/store-be-1' },
    to: { ip: STORE_BE_VIP, port: 8080 },
  }),
  row('11', 'Delivered', {
    name: 'pod → internet (masquerade, 1:1 NAT)',
    from: { pod: 'default/store-be-1' },
    to: { ip: '8.8.8.8', port: 53 },
    protocol: 'UDP',
  }),
  row('19', 'Delivered', {
    name: 'NodePort from the internet, eTP=Cluster',
    from: { ip: CLIENT_IP },
    to: { ip: '35.0.0.2', port: 31380 },
    flows: RANDOM_FLOWS,
  }),
  row('19', 'Dropped', {
    name: 'NodePort from the internet, a port no firewall rule allows',
    from: { ip: CLIENT_IP },
    to: { ip: '35.0.0.2', port: 31390 },
  }),
  row('19, 16', 'Delivered', {
    name: 'NodePort eTP=Local on the VM with the endpoint',
    from: { ip: CLIENT_IP },
    to: { ip: '35.0.0.1', port: 31382 },
  }),
  row('19, 17', 'Dropped', {
    name: 'NodePort eTP=Local on a VM without one',
    from: { ip: CLIENT_IP },
    to: { ip: '35.0.0.2', port: 31382 },
  }),
  row('20', 'Dropped', {
    name: 'iTP=Local, no local endpoint',
    from: { pod: 'default/store-fe-1' },
    to: { ip: '10.9.3.110', port: 5432 },
  }),
  row('20', 'Delivered', {
    name: 'iTP=Local, the local endpoint',
    from: { pod: 'default/store-be-1' },
    to: { ip: '10.9.3.110', port: 5432 },
  }),
  row('14', 'Delivered', {
    name: 'internet → LB, eTP=Cluster (SNAT, second hop)',
    from: { ip: CLIENT_IP },
    to: { ip: '86.75.30.9', port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('14', 'Dropped', {
    name: 'internet → LB on a port it does not forward',
    from: { ip: CLIENT_IP },
    to: { ip: '86.75.30.9', port: 81 },
  }),
  row('16', 'Delivered', {
    name: 'internet → LB, eTP=Local: 50/25/25, client IP kept',
    from: { ip: CLIENT_IP },
    to: { ip: '86.75.30.10', port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('17', ['Delivered', 'Dropped'], {
    name: 'internet → LB, eTP=Local, vm3 still in the pool: flows sent to vm3 dropped',
    from: { ip: CLIENT_IP },
    to: { ip: '86.75.30.11', port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('18', 'Delivered', {
    name: 'pod → LB address, eTP=Local: short-circuit to any endpoint',
    from: { pod: 'default/store-fe-1' },
    to: { ip: '86.75.30.10', port: 80 },
    flows: RANDOM_FLOWS,
  }),
  row('-', 'Delivered', {
    name: 'pod → another VM’s external IP:NodePort, out and back in through the internet gateway',
    from: { pod: 'default/store-fe-1' },
    to: { ip: '35.0.0.2', port: 31380 },
    flows: RANDOM_FLOWS,
  }),
  row('-', 'Dropped', {
    name: 'internet host → a pod’s private address',
    from: { ip: '8.8.8.8' },
    to: { ip: '10.11.0.9', port: 80 },
  }),
];

/**
 * A delivered flow answers in milliseconds; a dropped one waits the whole timeout, so it is short.
 * Kept under TCP's initial SYN retransmission timeout (1 s) too, so a probe reports what the first
 * SYN met (the realized network also turns off net.core.txrehash, so a retransmitted SYN keeps its
 * flow hash and the VPC's ECMP route, standing in for the load balancer, its VM).
 */
const PROBE_TIMEOUT_MS = 900;

function depsFor(cluster: TraceCluster, network: Realized, ports: SourcePorts): DifferentialDeps {
  return {
    trace: async (spec) => (await cluster.trace(spec as Record<string, unknown>)).status as PacketTraceStatus,
    probe: (from, to, protocol, sourcePort) => probe(network, from, to, protocol, sourcePort, PROBE_TIMEOUT_MS),
    ports,
  };
}

/** One diagnostic line per line of `text` (a diagnostic's newlines are escaped). */
function diagnoseEach(t: TestContext, text: string): void {
  for (const line of text.split('\n')) t.diagnostic(line);
}

const findRow = (name: string): Row => ROWS.find((r) => r.scenario.name === name)!;

describe('differential check: the simulator against the kernel on the reference cluster', () => {
  let cluster: TraceCluster | undefined;
  let network: Realized | undefined;
  const ports = new SourcePorts();
  const reports: ScenarioReport[] = [];
  let clusterMs = 0;

  before(async () => {
    if (unsupported) return;
    const t0 = performance.now();
    cluster = await startCluster();
    clusterMs = Math.round(performance.now() - t0);
    network = await realize(
      realizeInputFromCluster(cluster.dataplane.state, (node) => cluster!.dataplane.api.iptables(node)),
    );
  });

  after(async () => {
    await network?.close();
    await cluster?.close();
  });

  test('the cluster is realized whole: every node, pod, route and firewall rule', (t) => {
    if (skipped(t)) return;
    t.diagnostic(
      `cluster ${clusterMs} ms; realize: setup ${network!.timings.setupMs} ms, agents ${network!.timings.agentsMs} ms`,
    );
    assert.deepEqual(network!.warnings, []);
    assert.deepEqual(Object.keys(network!.namespaces.nodes).sort(), ['vm1', 'vm2', 'vm3']);
    assert.equal(Object.keys(network!.namespaces.pods).length, 10);
  });

  for (const r of ROWS) {
    test(`${r.section === '-' ? 'beyond the scenarios' : `scenario ${r.section}`}: ${r.scenario.name}`, async (t) => {
      if (skipped(t)) return;
      const t0 = performance.now();
      const report = await runScenario(r.scenario, depsFor(cluster!, network!, ports));
      reports.push(report);
      t.diagnostic(
        `${Math.round(performance.now() - t0)} ms; kernel: ${report.kernel.join(', ')}; backends: ${report.backends.join(', ') || 'none'}`,
      );
      assert.deepEqual(report.disagreements, [], `\n${formatDisagreements([report])}`);
      const outcomes = [...new Set(report.kernel.map((k) => k.split(/[ :]/)[0]))].sort();
      assert.deepEqual(outcomes, [...r.want].sort(), `the kernel's flows: ${report.kernel.join(', ')}`);
    });
  }

  test('scenario 6 compared the hairpin flows: masqueraded to cbr0, port left to --random-fully', (t) => {
    if (skipped(t)) return;
    const hairpin = reports.find((r) => r.scenario.name === 'endpoint → its own Service VIP (hairpin)')!;
    const self = hairpin.views.find((v) => v.backend === 'default/store-be-1 10.11.0.9:80')!;
    assert.deepEqual(self, {
      backend: 'default/store-be-1 10.11.0.9:80',
      randomPortSources: ['10.11.0.1'],
      simulator: { observedSource: ['10.11.0.1:*'], replySource: [`${STORE_BE_VIP}:80`] },
      kernel: { observedSource: ['10.11.0.1:*'], replySource: [`${STORE_BE_VIP}:80`] },
    });
    const remote = hairpin.views.find((v) => v.backend === 'default/store-be-2 10.11.5.3:80')!;
    assert.deepEqual(remote.kernel.observedSource, ['10.11.0.9:<sport>']);
  });

  describe('a simulator fed broken rules is caught', () => {
    const spn = servicePortName('default', 'store-be', 'http');
    const svcChain = `KUBE-SVC-${serviceChainHash(spn, 'tcp')}`;
    const sep = (ip: string) => `KUBE-SEP-${endpointChainHash(spn, 'tcp', ip, 80)}`;
    const faults: RuleFault[] = [
      // ip-masq-agent's MASQUERADE gone: pods' internet traffic leaves with the pod address.
      { chain: 'IP-MASQ-AGENT', target: 'MASQUERADE' },
      // store-be's two `statistic` rules gone: the last endpoint (10.11.8.67, by "ip:port" order) takes every flow.
      { chain: svcChain, target: sep('10.11.0.9') },
      { chain: svcChain, target: sep('10.11.5.3') },
      // store-lb's KUBE-EXT masquerade mark gone (scenario 15): VMs DNAT external flows without SNAT.
      {
        chain: `KUBE-EXT-${serviceChainHash(servicePortName('default', 'store-lb', 'http'), 'tcp')}`,
        target: 'KUBE-MARK-MASQ',
      },
    ];
    let broken: TraceCluster | undefined;

    before(async () => {
      if (!unsupported) broken = await startCluster(faults);
    });

    after(() => broken?.close());

    const run = (name: string) => runScenario(findRow(name).scenario, depsFor(broken!, network!, ports));

    test('the faults are the simulator’s only: the kernel would be built the same, so the realized network serves', (t) => {
      if (skipped(t)) return;
      const input = (c: TraceCluster) =>
        realizeInputFromCluster(c.dataplane.state, (node) => c.dataplane.api.iptables(node));
      assert.deepEqual(input(broken!), input(cluster!));
    });

    test('without the MASQUERADE, the trace drops pod → internet that the kernel delivers', async (t) => {
      if (skipped(t)) return;
      const report = await run('pod → internet (masquerade, 1:1 NAT)');
      diagnoseEach(t, formatDisagreements([report]));
      assert.deepEqual(report.disagreements, [
        {
          scenario: 'pod → internet (masquerade, 1:1 NAT)',
          aspect: 'outcome',
          simulator: ['Dropped: NATUnmappedSource'],
          kernel: ['Delivered to 8.8.8.8:53'],
        },
        { scenario: 'pod → internet (masquerade, 1:1 NAT)', aspect: 'backends', simulator: [], kernel: ['8.8.8.8:53'] },
      ]);
    });

    test('with one endpoint taking everything, the kernel reaches backends the trace leaves out', async (t) => {
      if (skipped(t)) return;
      const report = await run('pod → Service VIP, 3 endpoints');
      diagnoseEach(t, formatDisagreements([report]));
      assert.equal(report.disagreements.length, 1, formatDisagreements([report]));
      const [d] = report.disagreements;
      assert.equal(d.aspect, 'backends');
      assert.deepEqual(d.simulator, ['default/store-be-3 10.11.8.67:80 p=1']);
      const reached = d.kernel.map((k) => k.split(' ×')[0]).sort();
      assert.deepEqual(reached, [
        'default/store-be-1 10.11.0.9:80',
        'default/store-be-2 10.11.5.3:80',
        'default/store-be-3 10.11.8.67:80',
      ]);
    });

    test('without the KUBE-EXT masquerade, the trace loses the replies of second hops and shows the client address to the pods', async (t) => {
      if (skipped(t)) return;
      const report = await run('internet → LB, eTP=Cluster (SNAT, second hop)');
      diagnoseEach(t, formatDisagreements([report]));
      const got = report.disagreements.map((d) => `${d.aspect}${d.backend ? ` at ${d.backend.split(' ')[0]}` : ''}`);
      assert.deepEqual(got, [
        'outcome',
        'observedSource at default/store-be-1',
        'observedSource at default/store-be-2',
        'observedSource at default/store-be-3',
      ]);
      const [outcome, ...seen] = report.disagreements;
      assert.ok(
        outcome.simulator.some((v) => v.startsWith('Dropped: NATUnmappedSource')),
        outcome.simulator.join('; '),
      );
      assert.ok(
        outcome.kernel.every((v) => v.startsWith('Delivered')),
        outcome.kernel.join('; '),
      );
      for (const d of seen) assert.match(d.simulator.join('; '), /^198\.51\.100\.7:<sport>( ×\d+)?$/);
    });

    test('paths the faults do not touch still agree', async (t) => {
      if (skipped(t)) return;
      const report = await run('pod → pod across nodes');
      assert.deepEqual(report.disagreements, [], formatDisagreements([report]));
    });
  });
});

/** A trace status, as the simulator answers. */
function traced(status: Partial<PacketTraceStatus>): PacketTraceStatus {
  return { outcome: 'Delivered', hops: [], backends: [], ...status };
}

const POD_A = { pod: 'default/a', node: 'vm1', ip: '10.11.0.5', port: 80 };
const POD_B = { pod: 'default/b', node: 'vm2', ip: '10.11.5.5', port: 80 };
const VIP = { ip: '10.9.0.5', port: 80 };
const CLIENT = '10.11.0.9';
const HALVES = [
  { ...POD_A, probability: 0.5 },
  { ...POD_B, probability: 0.5 },
];
const ONLY_A = [{ ...POD_A, probability: 1 }];
const TWO_THIRDS_A = [{ ...POD_A, probability: 2 / 3 }];
const MASQ_HOP = {
  action: 'SNAT',
  packet: { protocol: 'TCP', src: '10.11.0.1', srcPort: 1, dst: '10.11.0.5', dstPort: 80 },
  rule: '-A KUBE-POSTROUTING -j MASQUERADE --random-fully',
};

interface Seen {
  at: typeof POD_A;
  /** Source IP the pod sees; its port is the flow's own unless `port`. */
  src?: string;
  port?: number;
  reply?: { ip: string; port: number };
}

/** A flow from source port `sp`: what the trace said (`sim`, with `backends`) and what the probe saw (`kernel`, absent = simulator only). */
function flow(
  sp: number,
  backends: PacketTraceStatus['backends'],
  sim: Seen & { randomFully?: boolean },
  kernel?: Seen,
): FlowSample {
  const trace = traced({
    deliveredTo: sim.at,
    observedSource: { ip: sim.src ?? CLIENT, port: sim.port ?? sp },
    reply: { observedSource: sim.reply ?? VIP },
    backends,
    hops: sim.randomFully ? [MASQ_HOP] : [],
  });
  if (!kernel) return { sourcePort: sp, trace };
  return {
    sourcePort: sp,
    trace,
    probe: {
      outcome: 'Delivered',
      deliveredTo: kernel.at,
      observedSource: { ip: kernel.src ?? CLIENT, port: kernel.port ?? sp },
      replySource: kernel.reply ?? VIP,
    },
  };
}

/** `n` flows from source ports 40000…, the i-th made by `make`. */
const flows = (n: number, make: (sp: number, i: number) => FlowSample): FlowSample[] =>
  Array.from({ length: n }, (_, i) => make(40000 + i, i));

const random = (n: number): Scenario => ({ name: 'vip', from: { pod: 'default/c' }, to: VIP, flows: n });
const fixed: Scenario = { name: 'fixed', from: { pod: 'default/c' }, to: { ip: POD_A.ip, port: 80 } };
const dropped = (sp: number, reason: string, error: string): FlowSample => ({
  sourcePort: sp,
  trace: traced({ outcome: 'Dropped', dropReason: reason }),
  probe: { outcome: 'Dropped', error },
});
const toInternet: ProbeResult = {
  outcome: 'Delivered',
  deliveredTo: { ip: '8.8.8.8', port: 53 },
  observedSource: { ip: '35.0.0.1', port: 40000 },
  replySource: { ip: '8.8.8.8', port: 53 },
};

describe('compareScenario (pure)', () => {
  const cases: { name: string; scenario: Scenario; samples: FlowSample[]; want: Omit<Disagreement, 'scenario'>[] }[] = [
    {
      name: 'agreeing flows to both backends: nothing to report',
      scenario: random(2),
      samples: [flow(40000, HALVES, { at: POD_A }, { at: POD_A }), flow(40001, HALVES, { at: POD_B }, { at: POD_B })],
      want: [],
    },
    {
      name: 'which backend one flow hits is not compared, only the sets',
      scenario: random(2),
      samples: [flow(40000, HALVES, { at: POD_A }, { at: POD_B }), flow(40001, HALVES, { at: POD_B }, { at: POD_A })],
      want: [],
    },
    {
      name: 'a backend the kernel should surely have reached in 20 flows (0.5^20)',
      scenario: random(20),
      samples: flows(20, (sp, i) => flow(sp, HALVES, { at: i % 2 ? POD_B : POD_A }, { at: POD_A })),
      want: [
        {
          aspect: 'backends',
          simulator: ['default/a 10.11.0.5:80 p=0.5', 'default/b 10.11.5.5:80 p=0.5'],
          kernel: ['default/a 10.11.0.5:80 ×20'],
        },
      ],
    },
    {
      name: 'but not in 2 flows (0.5^2 is no surprise)',
      scenario: random(2),
      samples: flows(2, (sp, i) => flow(sp, HALVES, { at: i % 2 ? POD_B : POD_A }, { at: POD_A })),
      want: [],
    },
    {
      name: 'a kernel flow outside the trace’s backends',
      scenario: fixed,
      samples: [flow(40000, ONLY_A, { at: POD_A }, { at: POD_B })],
      want: [{ aspect: 'backends', simulator: ['default/a 10.11.0.5:80 p=1'], kernel: ['default/b 10.11.5.5:80'] }],
    },
    {
      name: 'a different source seen by the pod',
      scenario: fixed,
      samples: [flow(40000, ONLY_A, { at: POD_A }, { at: POD_A, src: '10.11.0.1' })],
      want: [
        {
          aspect: 'observedSource',
          backend: 'default/a 10.11.0.5:80',
          simulator: ['10.11.0.9:<sport>'],
          kernel: ['10.11.0.1:<sport>'],
        },
      ],
    },
    {
      name: 'behind MASQUERADE --random-fully only the address counts',
      scenario: fixed,
      samples: [
        flow(
          40000,
          ONLY_A,
          { at: POD_A, src: '10.11.0.1', randomFully: true },
          { at: POD_A, src: '10.11.0.1', port: 61234 },
        ),
      ],
      want: [],
    },
    {
      name: 'without it, a rewritten port is a disagreement',
      scenario: fixed,
      samples: [flow(40000, ONLY_A, { at: POD_A, src: '10.11.0.1' }, { at: POD_A, src: '10.11.0.1', port: 61234 })],
      want: [
        {
          aspect: 'observedSource',
          backend: 'default/a 10.11.0.5:80',
          simulator: ['10.11.0.1:<sport>'],
          kernel: ['10.11.0.1:61234'],
        },
      ],
    },
    {
      name: 'the reply seen from another address',
      scenario: fixed,
      samples: [flow(40000, ONLY_A, { at: POD_A }, { at: POD_A, reply: { ip: POD_A.ip, port: 80 } })],
      want: [
        {
          aspect: 'replySource',
          backend: 'default/a 10.11.0.5:80',
          simulator: ['10.9.0.5:80'],
          kernel: ['10.11.0.5:80'],
        },
      ],
    },
    {
      name: 'drops compare by outcome only, whatever the reason on either side',
      scenario: fixed,
      samples: [dropped(40000, 'NoEndpoints', 'ECONNREFUSED')],
      want: [],
    },
    {
      name: 'a drop against a delivery',
      scenario: fixed,
      samples: [{ sourcePort: 40000, trace: traced({ outcome: 'Dropped', dropReason: 'NoRoute' }), probe: toInternet }],
      want: [
        { aspect: 'outcome', simulator: ['Dropped: NoRoute'], kernel: ['Delivered to 8.8.8.8:53'] },
        { aspect: 'backends', simulator: [], kernel: ['8.8.8.8:53'] },
      ],
    },
    {
      name: 'a backend whose every traced reply is lost is not expected to answer',
      scenario: random(20),
      samples: flows(20, (sp, i) =>
        i % 2
          ? {
              sourcePort: sp,
              trace: traced({
                outcome: 'Dropped',
                dropReason: 'NATUnmappedSource',
                deliveredTo: POD_B,
                backends: HALVES,
              }),
              probe: { outcome: 'Dropped', error: 'timeout' },
            }
          : flow(sp, HALVES, { at: POD_A }, { at: POD_A }),
      ),
      want: [],
    },
    {
      name: 'simulator-only samples supply the views of a backend the paired traces missed',
      scenario: random(2),
      samples: [
        flow(40000, HALVES, { at: POD_A }, { at: POD_A }),
        flow(40001, HALVES, { at: POD_A }, { at: POD_B }),
        flow(40002, HALVES, { at: POD_B, src: '10.11.0.7' }),
      ],
      want: [
        {
          aspect: 'observedSource',
          backend: 'default/b 10.11.5.5:80',
          simulator: ['10.11.0.7:<sport>'],
          kernel: ['10.11.0.9:<sport>'],
        },
      ],
    },
    {
      name: 'two paths to a backend: the kernel may show one of them in few flows',
      scenario: random(2),
      samples: [
        ...flows(2, (sp) => flow(sp, ONLY_A, { at: POD_A, src: '10.240.0.2' }, { at: POD_A, src: '10.240.0.2' })),
        flow(40002, ONLY_A, { at: POD_A, src: '10.240.0.3' }),
      ],
      want: [],
    },
    {
      name: 'but not a path the simulator never takes',
      scenario: random(2),
      samples: [
        flow(40000, ONLY_A, { at: POD_A, src: '10.240.0.2' }, { at: POD_A, src: '10.240.0.4' }),
        flow(40001, ONLY_A, { at: POD_A, src: '10.240.0.3' }, { at: POD_A, src: '10.240.0.2' }),
      ],
      want: [
        {
          aspect: 'observedSource',
          backend: 'default/a 10.11.0.5:80',
          simulator: ['10.240.0.2:<sport>', '10.240.0.3:<sport>'],
          kernel: ['10.240.0.2:<sport>', '10.240.0.4:<sport>'],
        },
      ],
    },
    {
      name: 'outcomes are sampled the same way: a third of flows dropped shows in 40',
      scenario: random(40),
      samples: flows(40, (sp, i) => {
        const delivered = flow(sp, TWO_THIRDS_A, { at: POD_A }, { at: POD_A });
        return i % 3
          ? delivered
          : {
              ...delivered,
              trace: traced({ outcome: 'Dropped', dropReason: 'NoLocalEndpoints', backends: TWO_THIRDS_A }),
            };
      }),
      want: [
        {
          aspect: 'outcome',
          simulator: ['Delivered to default/a 10.11.0.5:80 ×26', 'Dropped: NoLocalEndpoints ×14'],
          kernel: ['Delivered to default/a 10.11.0.5:80 ×40'],
        },
      ],
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const got = compareScenario(tc.scenario, tc.samples).disagreements.map(({ scenario: _s, ...d }) => d);
      assert.deepEqual(got, tc.want);
    });
  }

  test('formatDisagreements shows both sides of each', () => {
    const report = compareScenario(fixed, [
      { sourcePort: 40000, trace: traced({ outcome: 'Dropped', dropReason: 'NoRoute' }), probe: toInternet },
    ]);
    assert.equal(
      formatDisagreements([report]),
      [
        'fixed: TCP pod default/c → 10.11.0.5:80, 1 flow',
        '  outcome:',
        '    simulator: Dropped: NoRoute',
        '    kernel:    Delivered to 8.8.8.8:53',
        '  backends:',
        '    simulator: (nothing)',
        '    kernel:    8.8.8.8:53',
      ].join('\n'),
    );
  });
});
