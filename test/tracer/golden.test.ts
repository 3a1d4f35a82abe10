/**
 * Golden traces: each `golden/<name>.input.yaml` is a cluster fixture plus a list of traces; the
 * traces' answers must equal `golden/<name>.output.yaml`. Regenerate on purpose only:
 * `UPDATE_GOLDEN=1 node --test --import tsx test/tracer/golden.test.ts`, then read the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { startTraceCluster, type ClusterFixture } from '../helpers/trace-cluster.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

interface TraceStep {
  name: string;
  /** Seconds the dataplane clock moves before this trace (session affinity timeouts, conntrack expiry). */
  advanceSeconds?: number;
  spec: Record<string, unknown>;
}

interface GoldenInput {
  description: string;
  /** Another input file whose cluster this one starts from. */
  extends?: string;
  cluster?: Partial<ClusterFixture>;
  traces: TraceStep[];
}

type Named = { name: string };
const isNamedList = (v: unknown): v is Named[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && 'name' in x);

/** Lists of named items merge by name (an override changes fields of the base's item); other lists append; objects merge. */
function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isNamedList(base) && isNamedList(over)) {
    const out = base.map((b) => ({ ...b, ...(over.find((o) => o.name === b.name) ?? {}) }));
    return [...out, ...over.filter((o) => !base.some((b) => b.name === o.name))];
  }
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...over];
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
    return out;
  }
  return over;
}

function loadInput(file: string): GoldenInput {
  return load(readFileSync(join(dir, file), 'utf8')) as GoldenInput;
}

function fixtureOf(input: GoldenInput): ClusterFixture {
  const base = input.extends ? fixtureOf(loadInput(input.extends)) : { nodes: [] };
  return merge(base, input.cluster) as ClusterFixture;
}

/**
 * Cloud objects are named after random UIDs: routes after the node's (shown with the node's name),
 * network LBs after the Service's (`a` + 31 hex digits), Ingress objects after the cluster's
 * (`--` + 16 hex digits).
 */
function normalize(text: string, uids: Map<string, string>): string {
  let out = text;
  for (const [uid, node] of uids) out = out.replaceAll(uid, `<uid:${node}>`);
  return out.replace(/\ba[0-9a-f]{31}\b/g, 'a<service-uid>').replace(/--[0-9a-f]{16}\b/g, '--<cluster-uid>');
}

const inputs = readdirSync(dir).filter((f) => f.endsWith('.input.yaml'));

for (const file of inputs) {
  const input = loadInput(file);
  test(`golden trace ${file.replace('.input.yaml', '')}: ${input.description}`, async () => {
    const cluster = await startTraceCluster(fixtureOf(input));
    try {
      const answers = [];
      for (const step of input.traces) {
        if (step.advanceSeconds) cluster.advance(step.advanceSeconds);
        const res = await cluster.trace(step.spec);
        answers.push({ name: step.name, spec: res.spec, status: res.status });
      }
      const uids = new Map(cluster.manager.listers.Node.list().map((n) => [n.metadata.uid!, n.metadata.name!]));
      const got = normalize(dump(answers, { lineWidth: -1, noRefs: true }), uids);
      const outFile = join(dir, file.replace('.input.yaml', '.output.yaml'));
      if (update) writeFileSync(outFile, got);
      assert.ok(existsSync(outFile), `${outFile} is missing: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(got, readFileSync(outFile, 'utf8'));
    } finally {
      await cluster.close();
    }
  });
}
