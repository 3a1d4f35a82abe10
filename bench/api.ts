import { runLoad, timeGet, type LoadResult } from './load.js';
import { spawnKplane, spawnUntil } from './processes.js';

const concurrency = 16;
const podsPerRound = 10_000;
const rounds = 3;

function podBody(i: number, ns: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: ns, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
  });
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
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

/** Creates/s and p99 against kplane (LevelDB, with and without --sync-writes) and the bare baseline, rounds interleaved; then a LIST of 10 000 pods. */
export async function benchApi(): Promise<Row[]> {
  const kplane = await spawnKplane();
  const synced = await spawnKplane(['--sync-writes']);
  const baseline = await spawnUntil(['dist/bench/baseline-server.js'], /baseline listening on (\d+)/);
  const baselineUrl = `http://127.0.0.1:${baseline.match}/pods`;
  const runs = { kplane: [] as LoadResult[], synced: [] as LoadResult[], baseline: [] as LoadResult[] };
  try {
    for (let r = 0; r < rounds; r++) {
      const ns = `bench-r${r}`;
      for (const base of [kplane.match, synced.match])
        await postJson(`${base}/api/v1/namespaces`, { metadata: { name: ns } });
      const load = (url: string, offset: number) =>
        runLoad({ url, method: 'POST', concurrency, total: podsPerRound, body: (i) => podBody(offset + i, ns) });
      runs.baseline.push(await load(baselineUrl, r * podsPerRound));
      runs.kplane.push(await load(`${kplane.match}/api/v1/namespaces/${ns}/pods`, 0));
      runs.synced.push(await load(`${synced.match}/api/v1/namespaces/${ns}/pods`, 0));
    }
    const lists: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < 5; i++) {
      const res = await timeGet(`${kplane.match}/api/v1/namespaces/bench-r0/pods`);
      if (res.status !== 200) throw new Error(`list failed: ${res.status}`);
      lists.push(res.ms);
      listBytes = res.bytes;
    }
    const k = summarize(runs.kplane);
    const s = summarize(runs.synced);
    const b = summarize(runs.baseline);
    if (k.errors + s.errors + b.errors > 0)
      throw new Error(`errors during load: kplane ${k.errors}, synced ${s.errors}, baseline ${b.errors}`);
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
        what: `LIST of ${podsPerRound} pods (ms, ${(listBytes / 1e6).toFixed(1)} MB)`,
        value: median(lists).toFixed(0),
        baseline: '',
        ratio: '',
      },
    ];
  } finally {
    await Promise.all([kplane.stop(), synced.stop(), baseline.stop()]);
  }
}
