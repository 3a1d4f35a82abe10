import type { EndpointSlice } from '../src/registry/kinds/endpointslice/schema.js';
import { compileNode } from '../src/dataplane/kube-proxy/compile.js';
import { KubeProxyRules } from '../src/dataplane/kube-proxy/proxier.js';
import { renderIptablesSave } from '../src/dataplane/kube-proxy/render.js';
import { syntheticCluster } from '../test/dataplane/sample-cluster.js';
import type { Row } from './api.js';

const services = Number(process.env.BENCH_RULES_SERVICES ?? 10_000);
const endpointsPerService = 10;
const nodes = ['vm1', 'vm2', 'vm3'];
const changeRounds = 9;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

/** The slice with its first endpoint's readiness flipped (what a pod turning (un)ready does). */
function flipFirstEndpoint(slice: EndpointSlice): EndpointSlice {
  const [first, ...rest] = slice.endpoints;
  const ready = !(first.conditions?.ready ?? true);
  return { ...slice, endpoints: [{ ...first, conditions: { ...first.conditions, ready, serving: ready } }, ...rest] };
}

/**
 * kube-proxy rule compilation at 10 000 Services × 10 endpoints on 3 nodes: everything from
 * scratch through the incremental `KubeProxyRules` (baseline: the pure `compileNode` + render per
 * node), then one endpoint's readiness flipping and one node re-rendered (baseline: recompiling
 * and rendering that node from scratch, what a non-incremental compiler does).
 */
export async function benchRules(): Promise<Row[]> {
  const cluster = syntheticCluster(services, endpointsPerService, nodes);
  const reference = timed(() =>
    nodes.map((node) => renderIptablesSave(compileNode({ ...cluster, nodeName: node })).length),
  );
  const proxier = new KubeProxyRules(cluster);
  const full = timed(() => {
    proxier.setNodes(nodes);
    for (const svc of cluster.services) proxier.upsertService(svc);
    for (const slice of cluster.endpointSlices) proxier.upsertEndpointSlice(slice);
    return nodes.map((node) => proxier.render(node).length);
  });
  const megabytes = full.value.reduce((a, b) => a + b, 0) / 1e6;
  const counts = proxier.ruleCounts('vm1');
  const changes: number[] = [];
  // Midway through the Service order (svc-5001 at the default size, a ClusterIP Service).
  let slice = cluster.endpointSlices[Math.floor(services / 2) + 1];
  for (let round = 0; round < changeRounds; round++) {
    slice = flipFirstEndpoint(slice);
    const flipped = slice;
    changes.push(
      timed(() => {
        proxier.upsertEndpointSlice(flipped);
        return proxier.render('vm1');
      }).ms,
    );
  }
  const oneNodeFromScratch = timed(() => renderIptablesSave(compileNode({ ...cluster, nodeName: 'vm1' })).length).ms;
  const ratio = (x: number, y: number) => `${Math.round((100 * x) / y)} %`;
  const change = median(changes);
  return [
    {
      what:
        `kube-proxy rules: compile + render ${nodes.length} nodes from scratch (ms; ${services} svcs × ${endpointsPerService} eps, ` +
        `${counts.nat} nat + ${counts.filter} filter rules/node, ${megabytes.toFixed(0)} MB text)`,
      value: full.ms.toFixed(0),
      baseline: reference.ms.toFixed(0),
      ratio: ratio(full.ms, reference.ms),
    },
    {
      what: 'kube-proxy rules: one endpoint turns (un)ready → re-render one node (ms, median)',
      value: change.toFixed(1),
      baseline: oneNodeFromScratch.toFixed(0),
      ratio: ratio(change, oneNodeFromScratch),
    },
  ];
}
