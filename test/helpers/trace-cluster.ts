/**
 * A whole in-process cluster for dataplane tests: storage, the built-in controllers (the harness
 * plays the scheduler, and asks the kubelet for the fixture's addresses, so pods get exactly the
 * fixture's nodes and IPs), the dataplane, and the HTTP app to POST traces to. Fixtures are YAML
 * documents (`test/tracer/golden/_fixture.yaml` is the reference cluster of docs/network-model.md).
 */
import type { FastifyInstance } from 'fastify';
import { resolveConfig, type ServerConfig, type ServerConfigInput } from '../../src/config/config.js';
import { selectedControllers } from '../../controllers/index.js';
import { startDataplane, type Dataplane } from '../../src/dataplane/dataplane.js';
import type { CompiledRules } from '../../src/dataplane/kube-proxy/rules.js';
import { buildApp } from '../../src/http/app.js';
import { kindLookup, LocalClient, localSource } from '../../src/runtime/local.js';
import { Manager, silentLogger } from '../../src/runtime/manager.js';
import type { Kind } from '../../src/runtime/api.js';
import { startCore } from '../../src/server.js';
import { CAN_IP_FORWARD_ANNOTATION } from '../../src/dataplane/state.js';
import { POD_IP_ANNOTATION } from '../../controllers/kubelet/pod-network.js';
import { READY_ANNOTATION } from '../../controllers/kubelet/pod-status.js';

/** A VM of the fixture. */
export interface FixtureNode {
  name: string;
  internalIP: string;
  externalIP?: string;
  podCIDR: string;
  canIpForward?: boolean;
}

/** A pod the harness schedules and starts: it gets exactly this node and address. */
export interface FixturePod {
  namespace?: string;
  name: string;
  node: string;
  ip: string;
  labels?: Record<string, string>;
  ready?: boolean;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

export interface ClusterFixture {
  config?: ServerConfigInput;
  nodes: FixtureNode[];
  pods?: FixturePod[];
  /** Any other manifests (Services, Firewalls, ForwardingRules…), created in order. */
  objects?: Record<string, unknown>[];
  /** Objects deleted once everything settled, by name or by name prefix (cloud objects are named after uids). */
  remove?: { kind: Kind; namespace?: string; name?: string; namePrefix?: string }[];
  /** Rule faults injected into the nodes' compiled rules (the compiler itself stays correct). */
  faults?: RuleFault[];
  /** Status merge patches applied once everything settled (after `remove`), e.g. a load balancer's backend health. */
  patchStatus?: {
    kind: Kind;
    namespace?: string;
    name?: string;
    namePrefix?: string;
    status: Record<string, unknown>;
  }[];
  /**
   * Controllers that stop reconciling once the cluster is set up, so that `remove` can show a
   * state their self-healing would otherwise undo at once (e.g. `service-lb` with its firewall gone).
   */
  pauseAfterSetup?: string[];
}

/** Drops, on `node` (or every node), the rules of `chain` whose target jumps to or is `target`. */
export interface RuleFault {
  node?: string;
  chain: string;
  target: string;
}

export interface TraceCluster {
  app: FastifyInstance;
  manager: Manager;
  dataplane: Dataplane;
  client: LocalClient;
  config: ServerConfig;
  /** Moves the dataplane's clock (conntrack, session affinity) forward. */
  advance(seconds: number): void;
  /** POSTs a PacketTrace and returns the response body. */
  trace(spec: Record<string, unknown>): Promise<{ status: Record<string, unknown> } & Record<string, unknown>>;
  close(): Promise<void>;
}

/** Everything but what the harness plays; a fixture's `config.controllers` (e.g. `-routes`) is appended. */
const HARNESS_CONTROLLERS = '-scheduler,*';
/** A fixed instant, so traces' timestamps and expiries are the same on every run. */
const EPOCH_MS = Date.UTC(2026, 0, 1);

function applyFaults(faults: readonly RuleFault[]) {
  return (node: string, rules: CompiledRules): CompiledRules => {
    const mine = faults.filter((f) => !f.node || f.node === node);
    if (mine.length === 0) return rules;
    const drop = (chain: string, target: { kind: string; chain?: string }) =>
      mine.some((f) => f.chain === chain && (target.kind === f.target || target.chain === f.target));
    const strip = (chains: CompiledRules['nat']) =>
      chains.map((c) => ({
        name: c.name,
        rules: c.rules.filter((r) => !drop(c.name, r.target as { kind: string; chain?: string })),
      }));
    return { nat: strip(rules.nat), filter: strip(rules.filter) };
  };
}

/** Faulted rules are derived per call; memoized per source object so the evaluator's index cache still works. */
function memoizedFaults(faults: readonly RuleFault[]) {
  const apply = applyFaults(faults);
  const cache = new WeakMap<CompiledRules, CompiledRules>();
  return (node: string, rules: CompiledRules): CompiledRules => {
    let out = cache.get(rules);
    if (!out) cache.set(rules, (out = apply(node, rules)));
    return out;
  };
}

/** Retries `write` on 409 Conflict: controllers write the same objects while the harness sets them up. */
async function retryOnConflict<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt > 20) throw err;
    }
  }
}

async function createNodes(client: LocalClient, nodes: readonly FixtureNode[]): Promise<void> {
  for (const n of nodes) {
    const annotations = n.canIpForward === false ? { [CAN_IP_FORWARD_ANNOTATION]: 'false' } : undefined;
    await client.create('Node', {
      metadata: { name: n.name, annotations },
      spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    });
    const addresses = [
      { type: 'InternalIP', address: n.internalIP },
      ...(n.externalIP ? [{ type: 'ExternalIP', address: n.externalIP }] : []),
      { type: 'Hostname', address: n.name },
    ];
    await retryOnConflict(async () => {
      const node = await client.get('Node', { name: n.name });
      await client.updateStatus('Node', { ...node, status: { ...node.status, addresses } });
    });
  }
}

/**
 * Schedules a pod to the fixture's node and lets the kubelet controller run it, with the fixture's
 * address and readiness through its `kplane.io/pod-ip` and `kplane.io/ready` annotations.
 */
async function startPod(client: LocalClient, p: FixturePod): Promise<void> {
  await retryOnConflict(() => schedulePod(client, p));
}

async function schedulePod(client: LocalClient, p: FixturePod): Promise<void> {
  const namespace = p.namespace ?? 'default';
  const annotations = { [POD_IP_ANNOTATION]: p.ip, ...(p.ready === false ? { [READY_ANNOTATION]: 'false' } : {}) };
  const pod = await client.get('Pod', { namespace, name: p.name }).catch(() => undefined);
  if (!pod) {
    const ports = p.ports?.map((port) => ({ protocol: 'TCP', ...port }));
    await client.create('Pod', {
      metadata: { namespace, name: p.name, labels: p.labels, annotations },
      spec: { nodeName: p.node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', ports }] },
    });
    return;
  }
  const merged: Record<string, string> = { ...pod.metadata.annotations, ...annotations };
  if (p.ready !== false) delete merged[READY_ANNOTATION];
  await client.update('Pod', {
    ...pod,
    metadata: { ...pod.metadata, annotations: merged },
    spec: { ...pod.spec, nodeName: pod.spec.nodeName || p.node },
  });
}

async function createObject(client: LocalClient, manifest: Record<string, unknown>): Promise<void> {
  const kind = manifest.kind as Kind;
  const created = await client.create(kind, manifest as never);
  const status = (manifest as { status?: unknown }).status;
  if (status !== undefined) await client.updateStatus(kind, { ...(created as object), status } as never);
}

type ObjectSelector = { kind: Kind; namespace?: string; name?: string; namePrefix?: string };

async function selectObjects(client: LocalClient, s: ObjectSelector) {
  const objects = await client.list(s.kind, { namespace: s.namespace });
  const chosen = objects.filter(
    (o) => o.metadata.name === s.name || (s.namePrefix !== undefined && o.metadata.name!.startsWith(s.namePrefix)),
  );
  if (chosen.length === 0)
    throw new Error(`fixture names ${s.kind} ${s.name ?? `${s.namePrefix}*`}, which does not exist`);
  return chosen;
}

async function removeObjects(client: LocalClient, r: ObjectSelector): Promise<void> {
  for (const o of await selectObjects(client, r))
    await client.delete(r.kind, { namespace: o.metadata.namespace, name: o.metadata.name! });
}

async function patchObjectsStatus(
  client: LocalClient,
  p: NonNullable<ClusterFixture['patchStatus']>[number],
): Promise<void> {
  for (const o of await selectObjects(client, p))
    await client.patch(
      p.kind,
      { namespace: o.metadata.namespace, name: o.metadata.name! },
      { status: p.status },
      { subresource: 'status' },
    );
}

/** Starts the fixture's cluster and waits until every controller has settled. */
export async function startTraceCluster(fixture: ClusterFixture): Promise<TraceCluster> {
  const extra = fixture.config?.controllers;
  const config = resolveConfig({
    storage: 'memory',
    nodes: 0,
    ...fixture.config,
    controllers: extra ? `${HARNESS_CONTROLLERS},${extra}` : HARNESS_CONTROLLERS,
  });
  const core = await startCore({
    storage: 'memory',
    dataDir: '',
    syncWrites: false,
    serviceCIDR: config.serviceCIDR,
    nodePortRange: config.nodePortRange,
  });
  const lookup = kindLookup(core.kinds.all());
  const client = new LocalClient(core.registry, lookup);
  let paused = false;
  const pausable = new Set(fixture.pauseAfterSetup ?? []);
  const controllers = selectedControllers(config, core.backend).map((r) =>
    pausable.has(r.name)
      ? {
          ...r,
          reconcile: (ctx: Parameters<typeof r.reconcile>[0], key: Parameters<typeof r.reconcile>[1]) =>
            paused ? Promise.resolve() : r.reconcile(ctx, key),
        }
      : r,
  );
  const manager = new Manager({
    controllers,
    source: (kind) => localSource(core.registry, lookup(kind)),
    client,
    log: silentLogger,
  });
  let offsetMs = 0;
  const dataplane = startDataplane(manager, core.registry, config, {
    now: () => EPOCH_MS + offsetMs,
    mutateRules: fixture.faults?.length ? memoizedFaults(fixture.faults) : undefined,
  });
  await manager.start();
  const app = await buildApp({
    registry: core.registry,
    kinds: core.kinds,
    dataplane: dataplane.api,
    isReady: () => true,
  });
  const close = async () => {
    await manager.stop();
    dataplane.close();
    await app.close();
    core.endWatches();
    await core.close();
  };
  try {
    await createNodes(client, fixture.nodes);
    await manager.settle();
    for (const object of fixture.objects ?? []) await createObject(client, object);
    for (const pod of fixture.pods ?? []) await startPod(client, pod);
    await manager.settle();
    paused = true;
    for (const r of fixture.remove ?? []) await removeObjects(client, r);
    for (const p of fixture.patchStatus ?? []) await patchObjectsStatus(client, p);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    app,
    manager,
    dataplane,
    client,
    config,
    advance: (seconds) => void (offsetMs += seconds * 1000),
    async trace(spec) {
      const res = await app.inject({
        method: 'POST',
        url: '/apis/network.kplane.io/v1alpha1/packettraces',
        payload: { apiVersion: 'network.kplane.io/v1alpha1', kind: 'PacketTrace', spec },
      });
      if (res.statusCode !== 201) throw new Error(`trace failed with ${res.statusCode}: ${res.body}`);
      return res.json();
    },
    close,
  };
}
