import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import type { EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import { KubeProxyRules } from '../../src/dataplane/kube-proxy/proxier.js';
import { renderIptablesSave } from '../../src/dataplane/kube-proxy/render.js';
import type { CompiledRules } from '../../src/dataplane/kube-proxy/rules.js';
import { sampleCluster, sampleService, sampleSlice, syntheticCluster, type SampleEndpoint } from './sample-cluster.js';

const config = { clusterCIDR: '10.11.0.0/16', nonMasqueradeCIDRs: ['10.0.0.0/8'] };

/** The inputs as the test last fed them, to compile from scratch with `compileNode`. */
class Mirror {
  readonly services = new Map<string, Service>();
  readonly slices = new Map<string, EndpointSlice>();

  reference(node: string): CompiledRules {
    return compileNode({
      nodeName: node,
      ...config,
      services: [...this.services.values()],
      endpointSlices: [...this.slices.values()],
    });
  }
}

function assertSame(proxier: KubeProxyRules, mirror: Mirror, node: string, context: string): void {
  const want = mirror.reference(node);
  assert.deepEqual(proxier.rules(node), want, `${context}: rules(${node})`);
  assert.equal(proxier.render(node), renderIptablesSave(want), `${context}: render(${node})`);
  const count = (table: keyof CompiledRules) => want[table].reduce((n, c) => n + c.rules.length, 0);
  assert.deepEqual(
    proxier.ruleCounts(node),
    { nat: count('nat'), filter: count('filter') },
    `${context}: ruleCounts(${node})`,
  );
}

function loadSample(): { proxier: KubeProxyRules; mirror: Mirror; nodes: string[] } {
  const cluster = sampleCluster();
  const proxier = new KubeProxyRules(config);
  const mirror = new Mirror();
  proxier.setNodes(cluster.nodes);
  for (const svc of cluster.services) {
    proxier.upsertService(svc);
    mirror.services.set(`${svc.metadata.namespace}/${svc.metadata.name}`, svc);
  }
  for (const slice of cluster.endpointSlices) {
    proxier.upsertEndpointSlice(slice);
    mirror.slices.set(`${slice.metadata.namespace}/${slice.metadata.name}`, slice);
  }
  return { proxier, mirror, nodes: cluster.nodes };
}

test('KubeProxyRules equals compileNode on the sample cluster, every node', () => {
  const { proxier, mirror, nodes } = loadSample();
  for (const node of nodes) assertSame(proxier, mirror, node, 'sample');
});

const storePods = (overrides: Partial<Record<string, Partial<SampleEndpoint>>> = {}): SampleEndpoint[] =>
  [
    { ip: '10.11.0.9', node: 'vm1' },
    { ip: '10.11.5.3', node: 'vm2' },
    { ip: '10.11.8.67', node: 'vm3' },
  ].map((ep) => ({ ...ep, ...overrides[ep.node] }));

test('an iTP=Local endpoint change on vm2 bumps only vm2 and recompiles only that Service', () => {
  const { proxier, mirror, nodes } = loadSample();
  const before = Object.fromEntries(nodes.map((n) => [n, { version: proxier.version(n), rules: proxier.rules(n) }]));
  const slice = sampleSlice(
    'default',
    'store-local',
    [{ name: 'http', port: 80 }],
    storePods({ vm2: { ready: false } }),
  );
  proxier.upsertEndpointSlice(slice);
  mirror.slices.set('default/store-local-abc', slice);
  for (const node of nodes) assertSame(proxier, mirror, node, 'after flip');
  assert.deepEqual(
    nodes.filter((n) => proxier.version(n) !== before[n].version),
    ['vm2'],
  );
  // Untouched Services keep their chain objects: their fragments were not recompiled.
  const storeBe = (rules: CompiledRules) => rules.nat.find((c) => c.name === 'KUBE-SVC-MKWJAYKO35F7WYOU')?.rules;
  assert.ok(storeBe(before.vm2.rules));
  assert.equal(storeBe(proxier.rules('vm2')), storeBe(before.vm2.rules));
  assert.equal(proxier.rules('vm1'), before.vm1.rules, 'an unchanged node keeps its cached tables');
});

test('re-upserting identical objects changes no version', () => {
  const { proxier, mirror, nodes } = loadSample();
  const versions = nodes.map((n) => proxier.version(n));
  for (const svc of mirror.services.values()) proxier.upsertService(svc);
  for (const slice of mirror.slices.values()) proxier.upsertEndpointSlice(slice);
  assert.deepEqual(
    nodes.map((n) => proxier.version(n)),
    versions,
  );
});

test('delete and re-create a Service: its slices are kept for when it comes back', () => {
  const { proxier, mirror } = loadSample();
  const svc = mirror.services.get('default/store-be')!;
  proxier.deleteService('default', 'store-be');
  mirror.services.delete('default/store-be');
  assertSame(proxier, mirror, 'vm1', 'deleted');
  assert.ok(!proxier.render('vm1').includes('default/store-be:http'));
  proxier.upsertService(svc);
  mirror.services.set('default/store-be', svc);
  assertSame(proxier, mirror, 'vm1', 're-created');
  assert.ok(proxier.render('vm1').includes('KUBE-SVC-MKWJAYKO35F7WYOU'));
});

test('setNodes: a new node gets every Service, a removed or unknown node throws', () => {
  const { proxier, mirror } = loadSample();
  proxier.setNodes(['vm1', 'vm5']);
  assertSame(proxier, mirror, 'vm5', 'new node');
  assert.equal(proxier.version('vm5'), 2);
  assert.throws(() => proxier.rules('vm2'), /unknown node "vm2"/);
  assert.throws(() => new KubeProxyRules(config).render('vm1'), /unknown node/);
});

test('a fresh node without Services has the global rules only, version 1', () => {
  const proxier = new KubeProxyRules(config);
  proxier.setNodes(['vm1']);
  assert.equal(proxier.version('vm1'), 1);
  assert.deepEqual(proxier.rules('vm1'), new Mirror().reference('vm1'));
});

test('a 150-Service cluster then single edits: chains listed and rendered as compileNode does', () => {
  const cluster = syntheticCluster(150, 5, ['vm1', 'vm2', 'vm3']);
  const proxier = new KubeProxyRules(cluster);
  proxier.setNodes(cluster.nodes);
  const reference = (node: string) => compileNode({ ...cluster, nodeName: node });
  for (const svc of cluster.services) proxier.upsertService(svc);
  for (const slice of cluster.endpointSlices) proxier.upsertEndpointSlice(slice);
  assert.deepEqual(proxier.rules('vm1'), reference('vm1'));
  const changed = sampleSlice('bench', 'svc-50', [{ name: 'http', port: 80 }], [{ ip: '10.99.0.1', node: 'vm2' }]);
  cluster.endpointSlices[50] = changed;
  proxier.upsertEndpointSlice(changed);
  proxier.deleteService('bench', 'svc-7');
  cluster.services.splice(7, 1);
  for (const node of cluster.nodes) assert.equal(proxier.render(node), renderIptablesSave(reference(node)));
});

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCase(random: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const chance = (p: number) => random() < p;
  const names = ['a', 'b', 'c', 'b-c', 'web'];
  const portNames = [['http'], ['http', 'metrics'], ['dns', 'dns-tcp']];

  function service(): Service {
    const name = pick(names);
    const type = pick(['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);
    const ports = pick(portNames).map((p, i) => ({
      name: p,
      port: 80 + i,
      protocol: p === 'dns' ? 'UDP' : 'TCP',
      ...(type === 'ClusterIP' ? {} : { nodePort: 30000 + i + names.indexOf(name) * 10 }),
    }));
    const spec: Record<string, unknown> = {
      type,
      clusterIP: type === 'ExternalName' ? '' : chance(0.1) ? 'None' : `10.9.1.${names.indexOf(name) + 1}`,
      ports,
      internalTrafficPolicy: pick(['Cluster', 'Local']),
      ...(type === 'ExternalName' ? { externalName: 'example.com' } : {}),
      ...(type !== 'ClusterIP' && type !== 'ExternalName' ? { externalTrafficPolicy: pick(['Cluster', 'Local']) } : {}),
      ...(type === 'LoadBalancer'
        ? { healthCheckNodePort: 32000, loadBalancerSourceRanges: chance(0.5) ? ['203.0.113.0/25'] : [] }
        : {}),
      ...(chance(0.3) ? { externalIPs: ['35.0.0.9'] } : {}),
      ...(chance(0.3) ? { sessionAffinity: 'ClientIP' } : {}),
    };
    const status =
      type === 'LoadBalancer' && chance(0.8) ? { loadBalancer: { ingress: [{ ip: '86.75.30.9' }] } } : undefined;
    return sampleService(pick(['default', 'prod']), name, spec, status);
  }

  function slice(): EndpointSlice {
    const eps = Array.from({ length: Math.floor(random() * 4) }, () => ({
      ip: `10.11.${pick([0, 5, 8])}.${Math.floor(random() * 4) + 2}`,
      node: pick(['vm1', 'vm2', 'vm3', 'vm9']),
      ready: chance(0.7),
      serving: chance(0.8),
      terminating: chance(0.3),
    }));
    const ports = pick(portNames).map((p) => ({ name: p, port: 8080, protocol: p === 'dns' ? 'UDP' : 'TCP' }));
    return sampleSlice(pick(['default', 'prod']), pick(names), ports, eps, pick(['x', 'y']));
  }

  return { pick, chance, service, slice };
}

for (const seed of [1, 2, 3, 4]) {
  test(`random upserts/deletes (seed ${seed}): rules, render, counts equal compileNode; version bumps iff the text changed`, () => {
    const random = prng(seed);
    const gen = randomCase(random);
    const proxier = new KubeProxyRules(config);
    const mirror = new Mirror();
    let nodes = ['vm1', 'vm2', 'vm3'];
    proxier.setNodes(nodes);
    const seen = new Map<string, { text: string; version: number }>();
    for (let step = 0; step < 250; step++) {
      const op = random();
      if (op < 0.3) {
        const svc = gen.service();
        proxier.upsertService(svc);
        mirror.services.set(`${svc.metadata.namespace}/${svc.metadata.name}`, svc);
      } else if (op < 0.4) {
        const key = gen.pick([...mirror.services.keys(), 'default/none']);
        const [ns, name] = key.split('/');
        proxier.deleteService(ns, name);
        mirror.services.delete(key);
      } else if (op < 0.8) {
        const slice = gen.slice();
        proxier.upsertEndpointSlice(slice);
        mirror.slices.set(`${slice.metadata.namespace}/${slice.metadata.name}`, slice);
      } else if (op < 0.95) {
        const key = gen.pick([...mirror.slices.keys(), 'default/none']);
        const [ns, name] = key.split('/');
        proxier.deleteEndpointSlice(ns, name);
        mirror.slices.delete(key);
      } else {
        nodes = gen.chance(0.5) ? ['vm1', 'vm2', 'vm3', 'vm4'] : ['vm1', 'vm3'];
        proxier.setNodes(nodes);
        for (const gone of [...seen.keys()].filter((n) => !nodes.includes(n))) seen.delete(gone);
      }
      if (step % 5 !== 4) continue;
      for (const node of nodes) {
        assertSame(proxier, mirror, node, `seed ${seed} step ${step}`);
        const now = { text: proxier.render(node), version: proxier.version(node) };
        const last = seen.get(node);
        if (last)
          assert.equal(
            now.version > last.version,
            now.text !== last.text,
            `seed ${seed} step ${step} ${node}: version vs text`,
          );
        seen.set(node, now);
      }
    }
  });
}
