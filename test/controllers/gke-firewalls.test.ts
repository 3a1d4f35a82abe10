import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gkeFirewallController, gkeFirewalls } from '../../controllers/firewalls/gke-firewalls.js';
import type { Firewall } from '../../src/registry/kinds/firewall/schema.js';
import { firewallAllows } from '../../src/dataplane/vpc/firewall.js';
import { startTestEnv, type TestEnv } from '../../src/runtime/testenv.js';
import { converge } from '../helpers/controller-env.js';

const OPTS = { clusterName: 'kplane', clusterCIDR: '10.4.0.0/14', vpcCIDR: '10.240.0.0/16' };
const ALL = 'gke-kplane-all';
const VMS = 'gke-kplane-vms';

let env: TestEnv;
before(async () => {
  env = await startTestEnv({ controllers: [gkeFirewallController(OPTS)] });
});
after(async () => env.close());

async function firewall(name: string): Promise<Firewall> {
  return env.client.get('Firewall', { name });
}

const expectedSpecs: Record<string, Omit<Firewall['spec'], 'description'>> = {
  [ALL]: { sourceRanges: ['10.4.0.0/14'], allowed: [{ protocol: 'all' }], priority: 1000 },
  [VMS]: {
    sourceRanges: ['10.240.0.0/16'],
    allowed: [{ protocol: 'tcp', ports: ['1-65535'] }, { protocol: 'udp', ports: ['1-65535'] }, { protocol: 'icmp' }],
    priority: 1000,
  },
};

for (const [name, want] of Object.entries(expectedSpecs)) {
  test(`firewalls: ${name} exists at start, for every node`, async () => {
    const fw = await converge(env.settle, () => firewall(name));
    const { description, ...spec } = fw.spec;
    assert.deepEqual(spec, want);
    assert.equal(fw.spec.targetNodes, undefined);
    assert.ok(description && description.length > 10, 'explains itself');
  });
}

test('firewalls: the names follow the cluster name', () => {
  assert.deepEqual(
    gkeFirewalls({ ...OPTS, clusterName: 'prod' }).map((fw) => fw.metadata.name),
    ['gke-prod-all', 'gke-prod-vms'],
  );
});

test('firewalls: the rules let pod↔pod and node↔node traffic in, not the internet', async () => {
  const rules = await converge(env.settle, async () => {
    const all = await env.client.list('Firewall');
    assert.equal(all.length, 2);
    return all;
  });
  const cases = [
    { packet: { protocol: 'TCP' as const, src: '10.4.0.3', dstPort: 8080 }, allowed: true },
    { packet: { protocol: 'ICMP' as const, src: '10.4.1.3' }, allowed: true },
    { packet: { protocol: 'UDP' as const, src: '10.240.0.3', dstPort: 53 }, allowed: true },
    { packet: { protocol: 'TCP' as const, src: '8.8.8.8', dstPort: 80 }, allowed: false },
  ];
  for (const tc of cases) assert.equal(firewallAllows(rules, tc.packet, 'vm2'), tc.allowed, JSON.stringify(tc.packet));
});

test('firewalls: a deleted rule comes back with a new uid', async () => {
  const before = await converge(env.settle, () => firewall(ALL));
  assert.equal(await env.client.delete('Firewall', { name: ALL }), true);
  const back = await converge(env.settle, async () => {
    const fw = await firewall(ALL);
    assert.notEqual(fw.metadata.uid, before.metadata.uid);
    return fw;
  });
  assert.deepEqual(back.spec, before.spec);
});

test('firewalls: an edited rule is put back', async () => {
  const before = await converge(env.settle, () => firewall(VMS));
  const edited = await env.client.patch(
    'Firewall',
    { name: VMS },
    {
      spec: {
        sourceRanges: ['0.0.0.0/0'],
        allowed: [{ protocol: 'tcp', ports: ['22'] }],
        targetNodes: ['vm1'],
        priority: 10,
      },
    },
  );
  const restored = await converge(env.settle, async () => {
    const fw = await firewall(VMS);
    assert.ok(Number(fw.metadata.resourceVersion) > Number(edited.metadata.resourceVersion), 'written after the edit');
    return fw;
  });
  assert.deepEqual(restored.spec, before.spec);
  assert.equal(restored.metadata.uid, before.metadata.uid);
});

test('firewalls: other Firewalls are left alone', async () => {
  const spec = { sourceRanges: ['0.0.0.0/0'], allowed: [{ protocol: 'tcp', ports: ['30000-32767'] }], priority: 1000 };
  await env.client.create('Firewall', { metadata: { name: 'allow-nodeports' }, spec });
  await env.client.patch('Firewall', { name: 'allow-nodeports' }, { spec: { priority: 900 } });
  await env.settle();
  assert.deepEqual((await firewall('allow-nodeports')).spec, { ...spec, priority: 900 });
  await env.client.delete('Firewall', { name: 'allow-nodeports' });
  await env.settle();
  assert.deepEqual((await env.client.list('Firewall')).map((fw) => fw.metadata.name).sort(), [ALL, VMS]);
});
