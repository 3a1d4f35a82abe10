import { benchCrd, customObjectBody, customObjectsPath } from './custom-objects.js';
import { runLoad, timeGet, type LoadResult } from './load.js';
import { spawnKplane, spawnUntil } from './processes.js';

const concurrency = 16;
const createsPerRound = 10_000;
const rounds = 3;

function podBody(i: number, ns: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: ns, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
  });
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Creates the bench CRD; the server establishes it before the create returns (README "Custom resources"). */
async function installCrd(base: string): Promise<void> {
  const crds = `${base}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;
  await postJson(crds, benchCrd);
  const res = await fetch(`${crds}/${benchCrd.metadata.name}`);
  const crd = (await res.json()) as { status?: { conditions?: { type: string; status: string }[] } };
  if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
    throw new Error(`CRD not established: ${JSON.stringify(crd.status)}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One figure of the API benchmark, as printed in the README table. */
export interface Row {
  what: string;
  value: string;
  baseline: string;
  ratio: string;
}

function summarize(results: LoadResult[]): { perSecond: number; p99Ms: number; errors: number } {
  return {
    perSecond: median(results.map((r) => r.perSecond)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

/** One kind of create measured in every round: where round `round`'s creates go and the i-th body. */
interface CreateSeries {
  url(ns: string): string;
  body(i: number, ns: string, round: number): string;
  results: LoadResult[];
}

/**
 * Runs every series once per round, interleaved, from the same `concurrency` keep-alive clients.
 * Each round creates the namespace `bench-r<round>` at `namespaceBases` first.
 */
async function runRounds(namespaceBases: string[], series: CreateSeries[]): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const ns = `bench-r${round}`;
    for (const base of namespaceBases) await postJson(`${base}/api/v1/namespaces`, { metadata: { name: ns } });
    for (const s of series)
      s.results.push(
        await runLoad({
          url: s.url(ns),
          method: 'POST',
          concurrency,
          total: createsPerRound,
          body: (i) => s.body(i, ns, round),
        }),
      );
  }
}

/**
 * Creates/s and p99 against kplane (LevelDB, with and without --sync-writes) and the bare baseline,
 * and of custom objects on the first kplane, rounds interleaved; then a LIST of 10 000 pods.
 */
export async function benchApi(): Promise<Row[]> {
  const kplane = await spawnKplane();
  const synced = await spawnKplane(['--sync-writes']);
  const baseline = await spawnUntil(['dist/bench/baseline-server.js'], /baseline listening on (\d+)/);
  const baselineUrl = `http://127.0.0.1:${baseline.match}/pods`;
  const pods = (base: string): CreateSeries => ({
    url: (ns) => `${base}/api/v1/namespaces/${ns}/pods`,
    body: podBody,
    results: [],
  });
  const runs = {
    // The baseline keeps one keyspace for all rounds: names are unique across them.
    baseline: { url: () => baselineUrl, body: (i, ns, round) => podBody(round * createsPerRound + i, ns), results: [] },
    kplane: pods(kplane.match),
    custom: { url: (ns) => `${kplane.match}${customObjectsPath(ns)}`, body: customObjectBody, results: [] },
    synced: pods(synced.match),
  } satisfies Record<string, CreateSeries>;
  try {
    await installCrd(kplane.match);
    await runRounds([kplane.match, synced.match], Object.values(runs));
    const lists: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < 5; i++) {
      const res = await timeGet(`${kplane.match}/api/v1/namespaces/bench-r0/pods`);
      if (res.status !== 200) throw new Error(`list failed: ${res.status}`);
      lists.push(res.ms);
      listBytes = res.bytes;
    }
    const [b, k, c, s] = [runs.baseline, runs.kplane, runs.custom, runs.synced].map((x) => summarize(x.results));
    if (b.errors + k.errors + c.errors + s.errors > 0)
      throw new Error(
        `errors during load: baseline ${b.errors}, kplane ${k.errors}, custom ${c.errors}, synced ${s.errors}`,
      );
    const pct = (x: number, y: number) => `${Math.round((100 * x) / y)} %`;
    return [
      {
        what: `pod creates/s (${concurrency} clients, LevelDB)`,
        value: k.perSecond.toFixed(0),
        baseline: b.perSecond.toFixed(0),
        ratio: pct(k.perSecond, b.perSecond),
      },
      { what: 'create p99 latency (ms)', value: k.p99Ms.toFixed(1), baseline: b.p99Ms.toFixed(1), ratio: '' },
      {
        what: 'pod creates/s with --sync-writes',
        value: s.perSecond.toFixed(0),
        baseline: b.perSecond.toFixed(0),
        ratio: pct(s.perSecond, b.perSecond),
      },
      { what: 'create p99 with --sync-writes (ms)', value: s.p99Ms.toFixed(1), baseline: '', ratio: '' },
      {
        what: `custom-object creates/s (${concurrency} clients, LevelDB)`,
        value: c.perSecond.toFixed(0),
        baseline: b.perSecond.toFixed(0),
        ratio: pct(c.perSecond, b.perSecond),
      },
      {
        what: 'custom-object create p99 latency (ms)',
        value: c.p99Ms.toFixed(1),
        baseline: b.p99Ms.toFixed(1),
        ratio: '',
      },
      {
        what: 'custom-object / pod creates/s (same server, same rounds)',
        value: `${c.perSecond.toFixed(0)} / ${k.perSecond.toFixed(0)}`,
        baseline: '',
        ratio: pct(c.perSecond, k.perSecond),
      },
      {
        what: `LIST of ${createsPerRound} pods (ms, ${(listBytes / 1e6).toFixed(1)} MB)`,
        value: median(lists).toFixed(0),
        baseline: '',
        ratio: '',
      },
    ];
  } finally {
    await Promise.all([kplane.stop(), synced.stop(), baseline.stop()]);
  }
}
