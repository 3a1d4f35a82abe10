import { endpointsController } from '../controllers/endpoints/endpoints.js';
import type { Pod } from '../src/registry/kinds/pod/schema.js';
import { builtinKinds } from '../src/registry/kinds/index.js';
import { kindLookup } from '../src/runtime/local.js';
import { startTestEnv } from '../src/runtime/testenv.js';
import type { Row } from './api.js';

const services = Number(process.env.BENCH_SERVICES ?? 1000);
const podsPerService = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function podStatus(ip: string, ready: boolean): Pod['status'] {
  return {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-11-25T00:00:00Z' }],
  };
}

/**
 * Endpoints latency: with 1 000 Services and 10 000 not-ready pods in the store, 1 000 pods (one
 * per Service) turn Ready at once; for each, the time from its Ready status being stored to the
 * Endpoints write that lists it as ready, seen through a watch (the in-process endpoints
 * controller, 4 workers).
 */
export async function benchEndpoints(): Promise<Row[]> {
  const env = await startTestEnv({ controllers: [endpointsController] });
  // The runtime's timers (retries, backoff) are unref'd: keep the process alive while waiting on them.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    for (let s = 0; s < services; s++) {
      await env.client.create('Service', {
        metadata: { name: `svc-${s}`, namespace: 'default' },
        spec: { selector: { app: `svc-${s}` }, ports: [{ port: 80 }] },
      });
    }
    const pods: Pod[] = [];
    for (let s = 0; s < services; s++) {
      for (let i = 0; i < podsPerService; i++) {
        const ip = `10.${4 + Math.floor(s / 250)}.${s % 250}.${i + 2}`;
        const pod = await env.client.create('Pod', {
          metadata: { name: `p-${s}-${i}`, namespace: 'default', labels: { app: `svc-${s}` } },
          spec: { nodeName: 'vm1', containers: [{ name: 'c', image: 'nginx' }] },
        });
        pods.push(await env.client.updateStatus('Pod', { ...pod, status: podStatus(ip, false) }));
      }
    }
    await env.settle();
    const wanted = new Map<string, { ip: string; startedAt: number }>();
    const latencies: number[] = [];
    const watcher = env.registry.watch(kindLookup(builtinKinds)('Endpoints'), 'default', {
      watch: true,
      allowWatchBookmarks: false,
      resourceVersion: env.registry.currentRevision,
    });
    const seen = (async () => {
      while (latencies.length < services) {
        const out = await watcher.next();
        if (!out) throw new Error(`the watch closed (${watcher.closeReason}) before every Endpoints write was seen`);
        const w = wanted.get(out.object.metadata.name!);
        const subsets = (out.object as { subsets?: { addresses?: { ip: string }[] }[] }).subsets ?? [];
        if (w && subsets.some((s) => s.addresses?.some((a) => a.ip === w.ip))) {
          latencies.push(Math.max(0, performance.now() - w.startedAt));
          wanted.delete(out.object.metadata.name!);
        }
      }
    })();
    await Promise.all(
      Array.from({ length: services }, async (_, s) => {
        const pod = pods[s * podsPerService];
        const entry = { ip: pod.status!.podIP!, startedAt: Infinity };
        wanted.set(`svc-${s}`, entry);
        await env.client.updateStatus('Pod', { ...pod, status: podStatus(pod.status!.podIP!, true) });
        // The pod "turned Ready" when its status write committed; an Endpoints event cannot precede it.
        entry.startedAt = performance.now();
      }),
    );
    await seen;
    watcher.close();
    latencies.sort((a, b) => a - b);
    return [
      {
        what: `pod Ready → Endpoints written, p50 (ms; ${services} pods, ${services} svcs, ${services * podsPerService} pods stored)`,
        value: percentile(latencies, 0.5).toFixed(1),
        baseline: '',
        ratio: '',
      },
      {
        what: 'pod Ready → Endpoints written, p99 (ms)',
        value: percentile(latencies, 0.99).toFixed(1),
        baseline: '',
        ratio: '',
      },
    ];
  } finally {
    clearInterval(keepAlive);
    await env.close();
  }
}
