import { startTraceCluster, type ClusterFixture, type TraceCluster } from '../test/helpers/trace-cluster.js';
import { runTrace } from '../src/tracer/trace.js';
import type { Row } from './api.js';

/** Services are added in batches through the API; the endpoint controllers give each 10 endpoints. */
const SIZES = [100, 10_000];
const ENDPOINTS = 10;
const MEASURE_MS = 3000;

/** The talk's three VMs with ten backend pods and one client pod. */
function fixture(): ClusterFixture {
  const nodes = [0, 5, 8].map((third, i) => ({
    name: `vm${i + 1}`,
    internalIP: `10.240.0.${i + 2}`,
    externalIP: `35.0.0.${i + 1}`,
    podCIDR: `10.11.${third}.0/24`,
  }));
  const pods = Array.from({ length: ENDPOINTS }, (_, i) => ({
    name: `be-${i}`,
    node: nodes[i % 3].name,
    ip: `10.11.${[0, 5, 8][i % 3]}.${10 + i}`,
    labels: { app: 'be' },
  }));
  return {
    config: {
      vpcCIDR: '10.240.0.0/16',
      clusterCIDR: '10.11.0.0/16',
      serviceCIDR: '10.9.0.0/16',
      externalIPPool: '35.0.0.0/24',
    },
    nodes,
    pods: [...pods, { name: 'client', node: 'vm1', ip: '10.11.0.200', labels: { app: 'client' } }],
  };
}

async function addServices(cluster: TraceCluster, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    await cluster.client.create('Service', {
      metadata: { name: `svc-${i}`, namespace: 'default' },
      spec: {
        clusterIP: `10.9.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
        selector: { app: 'be' },
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
    } as never);
  }
  await cluster.manager.settle(600_000);
  await cluster.dataplane.api.catchUp();
}

/** Pod → random Service traces for MEASURE_MS, straight into the tracer (no HTTP): traces/s and p50/p99 µs. */
function measure(cluster: TraceCluster, services: number): { perSecond: number; p50: number; p99: number } {
  const state = cluster.dataplane.state;
  const spec = (i: number) => ({
    from: { pod: 'default/client' },
    to: { service: `default/svc-${i % services}`, port: 'http' },
    sourcePort: 10_000 + (i % 50_000),
  });
  runTrace(state, spec(0));
  const times: number[] = [];
  const started = performance.now();
  for (let i = 1; performance.now() - started < MEASURE_MS; i++) {
    const t = performance.now();
    runTrace(state, spec(Math.floor(Math.random() * services) + i));
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return {
    perSecond: Math.round(times.length / ((performance.now() - started) / 1000)),
    p50: Math.round(times[Math.floor(times.length / 2)]),
    p99: Math.round(times[Math.floor(times.length * 0.99)]),
  };
}

/**
 * PacketTrace throughput at 100 and at 10 000 Services (10 endpoints each): a pod tracing to a random
 * Service's ClusterIP, every trace enumerating all 10 backends and walking forward and back. The
 * per-packet cost should not grow with the number of Services (the rule index), so the baseline
 * for the 10 000 row is the 100 row.
 */
export async function benchTraces(): Promise<Row[]> {
  const cluster = await startTraceCluster(fixture());
  const rows: Row[] = [];
  try {
    let created = 0;
    let first: { perSecond: number } | undefined;
    for (const size of SIZES) {
      await addServices(cluster, created, size);
      created = size;
      const m = measure(cluster, size);
      first ??= m;
      rows.push({
        what: `PacketTrace pod → ClusterIP at ${size.toLocaleString('en')} Services × ${ENDPOINTS} endpoints (traces/s; p50 / p99 µs)`,
        value: `${m.perSecond} (${m.p50} / ${m.p99})`,
        baseline: size === SIZES[0] ? '—' : `${first.perSecond} at ${SIZES[0]}`,
        ratio: size === SIZES[0] ? '—' : `${Math.round((m.perSecond / first.perSecond) * 100)} %`,
      });
    }
  } finally {
    await cluster.close();
  }
  return rows;
}
