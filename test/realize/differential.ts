/**
 * The differential check (docs/network-model.md#checking-against-a-real-kernel): the simulator's
 * PacketTrace against real packets in the realized network. Each scenario sends the same flows
 * both ways (fresh source ports: conntrack would otherwise replay an earlier decision) and
 * compares what both sides can tell:
 * - outcome only (Delivered / Dropped): a probe cannot tell why a packet vanished;
 * - where flows land: never a backend outside the trace's `backends` (probability > 0), and every
 *   one of them the kernel would surely have reached in that many flows. Which backend one 5-tuple
 *   hits is not compared: the kernel's `statistic` and route hashing are not the tracer's;
 * - per backend, the source the pod saw and the reply's source the client saw; ports too, except
 *   behind a `MASQUERADE --random-fully` (the trace's SNAT hop says so), which picks them at random.
 * Random paths are compared as samples: the kernel must show nothing the simulator never does, and
 * miss nothing the simulator says it would surely have shown (see MISS_TOLERANCE); the simulator's
 * side is oversampled with extra traces, which cost nothing in the kernel.
 */
import type { Firewall } from '../../src/registry/kinds/firewall/schema.js';
import type { PacketTraceSpec, PacketTraceStatus } from '../../src/registry/kinds/packettrace/schema.js';
import type { Route } from '../../src/registry/kinds/route/schema.js';
import type { LoadBalancerView, NetworkConfig, NodeView, PodView } from '../../src/tracer/view.js';
import type { Endpoint } from '../../src/dataplane/realize/agent-protocol.js';
import type { RealizeInput, RealizeLoadBalancer, RealizeNode } from '../../src/dataplane/realize/input.js';
import type { ProbeResult, ProbeSource } from '../../src/dataplane/realize/probe.js';

/** The internet hosts of the reference cluster: a DNS server and an external client. */
const DEFAULT_INTERNET_HOSTS: readonly string[] = ['8.8.8.8', '198.51.100.7'];

/** What `realizeInputFromCluster` reads of a running dataplane (`DataplaneState` has it all). */
export interface ClusterDataplane {
  readonly config: Pick<NetworkConfig, 'vpcCIDR' | 'clusterCIDR'>;
  nodes(): readonly NodeView[];
  podsOnNode(node: string): readonly PodView[];
  routes(): readonly Route[];
  firewalls(): readonly Firewall[];
  loadBalancers(): readonly LoadBalancerView[];
}

/** Every port of a forwarding rule's ranges; empty when they span all ports (RealizeLoadBalancer's convention). */
function lbPorts(ranges: readonly { first: number; last: number }[]): number[] {
  if (ranges.length === 0 || ranges.some((r) => r.first <= 1 && r.last >= 65535)) return [];
  return ranges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));
}

function realizeLoadBalancer(lb: LoadBalancerView): RealizeLoadBalancer {
  const healthy = lb.nodes.filter((n) => lb.healthy.includes(n));
  return {
    ip: lb.ip,
    protocol: lb.protocol.toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
    ports: lbPorts(lb.ports),
    // As the tracer: a load balancer with no healthy VM fails open to all of them.
    nodes: healthy.length > 0 ? healthy : [...lb.nodes],
  };
}

/**
 * The RealizeInput of an in-process cluster: its nodes (addresses, pod CIDR, canIpForward) with
 * their `iptables-save` text from `iptables(node)` (the correct compiler's, whatever faults the
 * simulator is fed), the pods with an address, the Routes, Firewalls and network load balancers.
 * Nodes without a pod CIDR yet are left out, with their pods. Throws when a node has no rules.
 */
export function realizeInputFromCluster(
  state: ClusterDataplane,
  iptables: (node: string) => string | undefined,
  internetHosts: readonly string[] = DEFAULT_INTERNET_HOSTS,
): RealizeInput {
  const nodes: RealizeNode[] = state.nodes().flatMap((n) => {
    if (!n.podCIDR) return [];
    const iptablesSave = iptables(n.name);
    if (iptablesSave === undefined) throw new Error(`node ${n.name} has no iptables rules`);
    return [
      {
        name: n.name,
        internalIP: n.internalIP,
        externalIP: n.externalIP,
        podCIDR: n.podCIDR,
        canIpForward: n.canIpForward,
        iptablesSave,
      },
    ];
  });
  return {
    vpcCIDR: state.config.vpcCIDR,
    clusterCIDR: state.config.clusterCIDR,
    nodes,
    pods: nodes.flatMap((n) =>
      state.podsOnNode(n.name).map((p) => ({ namespace: p.namespace, name: p.name, node: p.node, ip: p.ip })),
    ),
    routes: state
      .routes()
      .map((r) => ({ destRange: r.spec.destRange, nextHopNode: r.spec.nextHopInstance, priority: r.spec.priority })),
    firewalls: state.firewalls().map((f) => ({
      sourceRanges: f.spec.sourceRanges ?? [],
      allowed: f.spec.allowed ?? [],
      targetNodes: f.spec.targetNodes,
    })),
    loadBalancers: state.loadBalancers().map(realizeLoadBalancer),
    internetHosts: [...internetHosts],
  };
}

/** Where a scenario's flows start: a pod (`<namespace>/<name>`), a node's root namespace, or an internet address. */
type ScenarioSource = { pod: string } | { node: string } | { ip: string };

/** One row of the differential check: a flow to send both ways. */
export interface Scenario {
  name: string;
  from: ScenarioSource;
  to: Endpoint;
  protocol?: 'TCP' | 'UDP';
  /** Flows to send, each from a fresh source port: 1 for a fixed path, many (e.g. 40) where something chooses at random. */
  flows?: number;
}

/** One flow (source port) and what each side made of it; `probe` is absent for simulator-only samples. */
export interface FlowSample {
  sourcePort: number;
  trace: PacketTraceStatus;
  probe?: ProbeResult;
}

/** What was compared and disagreed. */
type DisagreementAspect = 'outcome' | 'backends' | 'observedSource' | 'replySource';

/** One disagreement, with each side's view (distinct values, sorted, `×n` when seen n > 1 times). */
export interface Disagreement {
  scenario: string;
  aspect: DisagreementAspect;
  /** The backend the views are about, for `observedSource` and `replySource`. */
  backend?: string;
  simulator: string[];
  kernel: string[];
}

/** The sources seen at one backend, by each side (distinct views, sorted). */
interface BackendViews {
  backend: string;
  /** Sources behind a `MASQUERADE --random-fully` on the simulator's path: their ports are not compared. */
  randomPortSources: string[];
  simulator: { observedSource: string[]; replySource: string[] };
  kernel: { observedSource: string[]; replySource: string[] };
}

/** A scenario's comparison. */
export interface ScenarioReport {
  scenario: Scenario;
  /** Flows sent through the kernel (each also traced). */
  flows: number;
  /** Flows only the simulator traced, to see every path it predicts. */
  simulatorOnlyFlows: number;
  /** Where the kernel's flows ended (`Delivered to …` / `Dropped: …`, `×n`). */
  kernel: string[];
  /** The trace's backends with probability > 0. */
  backends: string[];
  views: BackendViews[];
  disagreements: Disagreement[];
}

/**
 * How unlikely a miss must be to count: the simulator says a share `s` of flows go some way, and
 * the kernel showed none of `n` flows going that way, with (1 − s)^n below this.
 */
const MISS_TOLERANCE = 1e-3;

const surelySeen = (share: number, flows: number): boolean => (1 - share) ** flows < MISS_TOLERANCE;

/** One flow, either side, reduced to what both sides can say. */
interface SideFlow {
  sourcePort: number;
  outcome: 'Delivered' | 'Dropped';
  /** Drop reason (simulator) or socket error (kernel). */
  why?: string;
  /** The backend reached (for the simulator also when only the reply was lost). */
  backend?: string;
  observedSource?: Endpoint;
  replySource?: Endpoint;
  randomFully: boolean;
}

const backendKey = (to: { pod?: string; ip: string; port?: number }): string =>
  to.pod ? `${to.pod} ${to.ip}:${to.port ?? 0}` : `${to.ip}:${to.port ?? 0}`;

/** Whether a MASQUERADE with `--random-fully` rewrote the flow (its source port is then the kernel's random pick). */
function masqueradedRandomFully(trace: PacketTraceStatus): boolean {
  return (trace.hops ?? []).some((h) => h.action === 'SNAT' && (h.rule ?? '').includes('--random-fully'));
}

function simulatorFlow(s: FlowSample): SideFlow {
  const t = s.trace;
  return {
    sourcePort: s.sourcePort,
    outcome: t.outcome === 'Delivered' ? 'Delivered' : 'Dropped',
    why: t.dropReason || undefined,
    backend: t.deliveredTo ? backendKey(t.deliveredTo) : undefined,
    observedSource: t.observedSource,
    replySource: t.reply?.observedSource,
    randomFully: masqueradedRandomFully(t),
  };
}

function kernelFlow(sourcePort: number, p: ProbeResult): SideFlow {
  return {
    sourcePort,
    outcome: p.outcome,
    why: p.error,
    backend: p.outcome === 'Delivered' && p.deliveredTo ? backendKey(p.deliveredTo) : undefined,
    observedSource: p.observedSource,
    replySource: p.replySource,
    randomFully: false,
  };
}

/** An address as compared: the flow's own source port reads `<sport>`, so flows from different ports compare equal. */
function endpointView(e: Endpoint | undefined, sourcePort: number, randomPort: boolean): string {
  if (!e) return 'none';
  if (randomPort) return `${e.ip}:*`;
  return `${e.ip}:${e.port === sourcePort ? '<sport>' : e.port}`;
}

function outcomeView(f: SideFlow): string {
  if (f.outcome === 'Delivered') return `Delivered to ${f.backend ?? 'unknown'}`;
  return f.why ? `Dropped: ${f.why}` : 'Dropped';
}

/** Distinct values with their counts, sorted: `"x ×3"`. */
function tally(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => (n === 1 ? v : `${v} ×${n}`)).sort();
}

const distinct = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/**
 * Whether two samples of the same flows disagree: the kernel showed something the simulator never
 * does, or missed something the simulator says it would surely have shown.
 */
function samplesDisagree(simulator: readonly string[], kernel: readonly string[]): boolean {
  const kernelSeen = new Set(kernel);
  const simSeen = new Set(simulator);
  if ([...kernelSeen].some((v) => !simSeen.has(v))) return true;
  return [...simSeen].some(
    (v) => !kernelSeen.has(v) && surelySeen(simulator.filter((x) => x === v).length / simulator.length, kernel.length),
  );
}

/** The trace's backends with probability > 0 (every trace of a scenario predicts the same), with their probabilities. */
function predictedBackends(samples: readonly FlowSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of samples[0]?.trace.backends ?? []) if (b.probability > 0) out.set(backendKey(b), b.probability);
  return out;
}

/** Outcomes only (Delivered / Dropped): a probe cannot tell one drop reason from another. */
function compareOutcomes(name: string, sim: readonly SideFlow[], kernel: readonly SideFlow[]): Disagreement[] {
  if (
    !samplesDisagree(
      sim.map((f) => f.outcome),
      kernel.map((f) => f.outcome),
    )
  )
    return [];
  return [
    {
      scenario: name,
      aspect: 'outcome',
      simulator: tally(sim.map(outcomeView)),
      kernel: tally(kernel.map(outcomeView)),
    },
  ];
}

/** Whether the kernel sees a backend answer: yes unless every simulated flow to it loses its reply. */
function answers(backend: string, sim: readonly SideFlow[]): boolean {
  const flows = sim.filter((f) => f.backend === backend);
  return flows.length === 0 || flows.some((f) => f.outcome === 'Delivered');
}

function compareBackends(
  name: string,
  predicted: ReadonlyMap<string, number>,
  sim: readonly SideFlow[],
  kernel: readonly SideFlow[],
): Disagreement[] {
  const reached = kernel.flatMap((f) => (f.outcome === 'Delivered' && f.backend ? [f.backend] : []));
  const outside = reached.some((b) => !predicted.has(b));
  const missed = [...predicted].some(
    ([b, p]) => !reached.includes(b) && answers(b, sim) && surelySeen(p, kernel.length),
  );
  if (!outside && !missed) return [];
  return [
    {
      scenario: name,
      aspect: 'backends',
      simulator: [...predicted].map(([b, p]) => `${b} p=${Math.round(p * 1000) / 1000}`).sort(),
      kernel: tally(reached),
    },
  ];
}

/** Each side's views of the flows delivered to `backend`, ports hidden where the simulator's path randomizes them. */
function viewsAt(
  name: string,
  backend: string,
  sim: readonly SideFlow[],
  kernel: readonly SideFlow[],
): { views: BackendViews; disagreements: Disagreement[] } {
  const simFlows = sim.filter((f) => f.outcome === 'Delivered' && f.backend === backend);
  const kernelFlows = kernel.filter((f) => f.outcome === 'Delivered' && f.backend === backend);
  const randomPortSources = distinct(
    simFlows.flatMap((f) => (f.randomFully && f.observedSource ? [f.observedSource.ip] : [])),
  );
  const observed = (f: SideFlow) =>
    endpointView(f.observedSource, f.sourcePort, randomPortSources.includes(f.observedSource?.ip ?? ''));
  const reply = (f: SideFlow) => endpointView(f.replySource, f.sourcePort, false);
  const aspects = { observedSource: observed, replySource: reply };
  const disagreements: Disagreement[] = [];
  for (const [aspect, view] of Object.entries(aspects) as [keyof typeof aspects, (f: SideFlow) => string][]) {
    const simViews = simFlows.map(view);
    const kernelViews = kernelFlows.map(view);
    if (samplesDisagree(simViews, kernelViews))
      disagreements.push({ scenario: name, aspect, backend, simulator: tally(simViews), kernel: tally(kernelViews) });
  }
  const side = (flows: readonly SideFlow[]) => ({
    observedSource: distinct(flows.map(observed)),
    replySource: distinct(flows.map(reply)),
  });
  return { views: { backend, randomPortSources, simulator: side(simFlows), kernel: side(kernelFlows) }, disagreements };
}

/**
 * Compares a scenario's samples (pure). Samples with a probe are the flows both sides saw;
 * simulator-only samples fill in the simulator's side (every path it predicts, and how often).
 */
export function compareScenario(scenario: Scenario, samples: readonly FlowSample[]): ScenarioReport {
  const sim = samples.map(simulatorFlow);
  const kernel = samples.flatMap((s) => (s.probe ? [kernelFlow(s.sourcePort, s.probe)] : []));
  const predicted = predictedBackends(samples);
  const delivered = (flows: readonly SideFlow[]) =>
    new Set(flows.flatMap((f) => (f.outcome === 'Delivered' && f.backend ? [f.backend] : [])));
  const simDelivered = delivered(sim);
  const compared = [...delivered(kernel)]
    .filter((b) => simDelivered.has(b))
    .sort()
    .map((b) => viewsAt(scenario.name, b, sim, kernel));
  return {
    scenario,
    flows: kernel.length,
    simulatorOnlyFlows: samples.length - kernel.length,
    kernel: tally(kernel.map(outcomeView)),
    backends: [...predicted.keys()].sort(),
    views: compared.map((c) => c.views),
    disagreements: [
      ...compareOutcomes(scenario.name, sim, kernel),
      ...compareBackends(scenario.name, predicted, sim, kernel),
      ...compared.flatMap((c) => c.disagreements),
    ],
  };
}

/** Hands out source ports, each once (a reused 5-tuple would replay conntrack's earlier NAT decisions). */
export class SourcePorts {
  private next: number;

  /** Ports from `first` to `last`, away from the service ports and kube-proxy's NodePort range by default. */
  constructor(
    first = 40000,
    private readonly last = 59999,
  ) {
    this.next = first;
  }

  take(): number {
    if (this.next > this.last) throw new Error(`no fresh source ports left (last ${this.last})`);
    return this.next++;
  }
}

/** Both sides of a differential run. */
export interface DifferentialDeps {
  /** The simulator's answer to a PacketTrace spec (its `status`). */
  trace(spec: PacketTraceSpec): Promise<PacketTraceStatus>;
  /** One real flow through the realized network (see probe.ts). */
  probe(from: ProbeSource, to: Endpoint, protocol: 'TCP' | 'UDP', sourcePort: number): Promise<ProbeResult>;
  ports: SourcePorts;
  /**
   * Simulator-only traces per flow of a random scenario (flows > 1), so its side covers every path
   * (a load balancer's VM × an endpoint) and how often; default 4. Traces are cheap, probes are not.
   */
  simulatorOversampling?: number;
}

/** Cap on simulator-only traces spent finding a predicted backend no trace has hit yet. */
const MAX_BACKEND_SEARCH = 200;

function probeSource(from: ScenarioSource): ProbeSource {
  if ('pod' in from) return { pod: from.pod };
  if ('node' in from) return { node: from.node };
  return { internet: from.ip };
}

function traceSpec(s: Scenario, sourcePort: number): PacketTraceSpec {
  return { from: { ...s.from }, to: { ip: s.to.ip, port: s.to.port }, protocol: s.protocol ?? 'TCP', sourcePort };
}

/** Traces one more fresh flow, simulator only; returns the backend it reached. */
async function traceOnly(s: Scenario, deps: DifferentialDeps, samples: FlowSample[]): Promise<string | undefined> {
  const sourcePort = deps.ports.take();
  const trace = await deps.trace(traceSpec(s, sourcePort));
  samples.push({ sourcePort, trace });
  return simulatorFlow({ sourcePort, trace }).backend;
}

/** Simulator-only samples: the oversampling of a random scenario, then until every predicted backend was hit (capped). */
async function sampleSimulator(s: Scenario, deps: DifferentialDeps, samples: FlowSample[]): Promise<void> {
  const flows = s.flows ?? 1;
  const seen = new Set(samples.map((x) => simulatorFlow(x).backend));
  for (let n = 0; flows > 1 && n < flows * (deps.simulatorOversampling ?? 4); n++)
    seen.add(await traceOnly(s, deps, samples));
  const predicted = [...predictedBackends(samples).keys()];
  for (let n = 0; n < MAX_BACKEND_SEARCH && predicted.some((b) => !seen.has(b)); n++)
    seen.add(await traceOnly(s, deps, samples));
}

/** Runs one scenario both ways (each flow from a fresh source port, probes in parallel) and compares. */
export async function runScenario(s: Scenario, deps: DifferentialDeps): Promise<ScenarioReport> {
  const ports = Array.from({ length: s.flows ?? 1 }, () => deps.ports.take());
  const traces: PacketTraceStatus[] = [];
  // One at a time: each trace commits conntrack state in the simulator, as each flow does in the kernel.
  for (const port of ports) traces.push(await deps.trace(traceSpec(s, port)));
  const probes = await Promise.all(
    ports.map((port) => deps.probe(probeSource(s.from), s.to, s.protocol ?? 'TCP', port)),
  );
  const samples: FlowSample[] = ports.map((sourcePort, i) => ({ sourcePort, trace: traces[i], probe: probes[i] }));
  await sampleSimulator(s, deps, samples);
  return compareScenario(s, samples);
}

const describeSource = (from: ScenarioSource): string =>
  'pod' in from ? `pod ${from.pod}` : 'node' in from ? `node ${from.node}` : from.ip;

/** The disagreements as text a person can read: one block per disagreement, both sides' views. */
export function formatDisagreements(reports: readonly ScenarioReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    if (r.disagreements.length === 0) continue;
    const { scenario: s } = r;
    const traceOnly = r.simulatorOnlyFlows > 0 ? ` (+${r.simulatorOnlyFlows} traced only)` : '';
    lines.push(
      `${s.name}: ${s.protocol ?? 'TCP'} ${describeSource(s.from)} → ${s.to.ip}:${s.to.port}, ${r.flows} flow${r.flows === 1 ? '' : 's'}${traceOnly}`,
    );
    for (const d of r.disagreements) {
      lines.push(
        `  ${d.aspect}${d.backend ? ` at ${d.backend}` : ''}:`,
        `    simulator: ${d.simulator.join('; ') || '(nothing)'}`,
        `    kernel:    ${d.kernel.join('; ') || '(nothing)'}`,
      );
    }
  }
  return lines.join('\n');
}
