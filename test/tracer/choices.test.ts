import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumerateBranches, flowChooser, hash32, sampleBranches, TooManyBranches } from '../../src/tracer/choices.js';

test('hash32 is deterministic and spreads nearby keys', () => {
  assert.equal(hash32('TCP 10.0.0.1:1>10.0.0.2:80'), hash32('TCP 10.0.0.1:1>10.0.0.2:80'));
  const buckets = new Array(8).fill(0);
  for (let port = 0; port < 8000; port++) buckets[hash32(`TCP 10.0.0.1:${port}>10.0.0.2:80`) % 8]++;
  for (const n of buckets) assert.ok(n > 800 && n < 1200, `bucket ${n}`);
});

test('flowChooser: the same flow and key always choose the same option; shares follow the probabilities', () => {
  const counts = [0, 0, 0];
  for (let port = 0; port < 3000; port++) {
    const choose = () => flowChooser(`flow-${port}`).choose('k', [0.5, 0.25, 0.25]);
    const pick = choose();
    assert.equal(choose(), pick);
    counts[pick]++;
  }
  assert.ok(Math.abs(counts[0] / 3000 - 0.5) < 0.04 && Math.abs(counts[1] / 3000 - 0.25) < 0.04, String(counts));
});

const ladders: { name: string; walk: Parameters<typeof enumerateBranches<string>>[0]; want: Record<string, number> }[] =
  [
    {
      name: 'no choice at all',
      walk: () => 'only',
      want: { only: 1 },
    },
    {
      name: "kube-proxy's 1/3, 1/2, 1 ladder is uniform",
      walk: (c) => (c.choose('a', [1 / 3, 2 / 3]) === 0 ? 'a' : c.choose('b', [1 / 2, 1 / 2]) === 0 ? 'b' : 'c'),
      want: { a: 1 / 3, b: 1 / 3, c: 1 / 3 },
    },
    {
      name: 'a load balancer over two VMs, then one or two local pods (the talk’s 50/25/25)',
      walk: (c) => (c.choose('lb', [0.5, 0.5]) === 0 ? 'pod1' : c.choose('svl', [0.5, 0.5]) === 0 ? 'pod2' : 'pod3'),
      want: { pod1: 0.5, pod2: 0.25, pod3: 0.25 },
    },
    {
      name: 'zero-probability options are never taken',
      walk: (c) => (c.choose('x', [1, 0]) === 0 ? 'taken' : 'never'),
      want: { taken: 1 },
    },
  ];
for (const tc of ladders) {
  test(`enumerateBranches: ${tc.name}`, () => {
    const got: Record<string, number> = {};
    for (const b of enumerateBranches(tc.walk)) got[b.result] = (got[b.result] ?? 0) + b.probability;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(tc.want).sort());
    for (const [k, p] of Object.entries(tc.want)) assert.ok(Math.abs(got[k] - p) < 1e-12, `${k}: ${got[k]} vs ${p}`);
  });
}

test('enumerateBranches refuses more paths than its limit; sampleBranches estimates them, the same way for the same seed', () => {
  const walk = (c: Parameters<Parameters<typeof enumerateBranches<number>>[0]>[0]) =>
    c.choose('vm', [0.5, 0.5]) * 100 + c.choose('pod', Array(100).fill(0.01));
  assert.throws(() => enumerateBranches(walk, 150), TooManyBranches);
  const shares = (seed: string) => {
    const got = new Map<number, number>();
    for (const b of sampleBranches(walk, 20_000, seed)) got.set(b.result, (got.get(b.result) ?? 0) + b.probability);
    return got;
  };
  const first = shares('flow');
  assert.equal(first.size, 200);
  for (const p of first.values()) assert.ok(p > 0.002 && p < 0.008, `share ${p} vs 0.005`);
  assert.deepEqual(shares('flow'), first);
});
