import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gkeFirewallController } from '../../controllers/firewalls/gke-firewalls.js';
import { routeController } from '../../controllers/routes/routes.js';
import { startTestEnv, type TestEnv } from '../../src/runtime/testenv.js';
import { runKubectl } from '../helpers/kubectl.js';
import { scratchDir } from '../helpers/process.js';

let env: TestEnv;
let dir: Awaited<ReturnType<typeof scratchDir>>;
let kubeconfig: string;

before(async () => {
  env = await startTestEnv({
    listen: true,
    controllers: [
      routeController({ clusterName: 'kplane' }),
      gkeFirewallController({ clusterName: 'kplane', clusterCIDR: '10.4.0.0/14', vpcCIDR: '10.240.0.0/16' }),
    ],
  });
  dir = await scratchDir();
  kubeconfig = join(dir.path, 'kubeconfig.yaml');
  await writeFile(kubeconfig, env.kubeconfig!);
  await env.client.create('Node', { metadata: { name: 'vm1' }, spec: { podCIDR: '10.4.0.0/24' } });
  await env.client.create('ForwardingRule', {
    metadata: { name: 'a1' },
    spec: { ipAddress: '203.0.113.4', protocol: 'TCP', ports: ['80'], target: { nodes: ['vm1'] } },
  });
  await env.settle();
});

after(async () => {
  await env?.close();
  await dir?.remove();
});

test('kubectl get routes,firewalls,forwardingrules prints each kind with its columns', async () => {
  const run = await runKubectl(
    { kubeconfig, cacheDir: join(dir.path, 'cache') },
    'get',
    'routes,firewalls,forwardingrules',
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
  const row = (name: string) => lines.find((cells) => cells[0] === name);
  assert.ok(
    lines.some((cells) => cells.join(' ') === 'NAME DEST_RANGE NEXT_HOP PRIORITY AGE'),
    run.stdout,
  );
  assert.deepEqual(row('route.compute.kplane.io/' + (await env.client.list('Route'))[0].metadata.name)?.slice(1, 4), [
    '10.4.0.0/24',
    'vm1',
    '1000',
  ]);
  assert.ok(
    lines.some((cells) => cells.join(' ') === 'NAME SRC_RANGES ALLOW TARGETS PRIORITY AGE'),
    run.stdout,
  );
  assert.deepEqual(row('firewall.compute.kplane.io/gke-kplane-vms')?.slice(1, 5), [
    '10.240.0.0/16',
    'tcp:1-65535,udp:1-65535,icmp',
    '<all>',
    '1000',
  ]);
  assert.ok(
    lines.some((cells) => cells.join(' ') === 'NAME IP PROTOCOL PORTS TARGET AGE'),
    run.stdout,
  );
  assert.deepEqual(row('forwardingrule.compute.kplane.io/a1')?.slice(1, 5), ['203.0.113.4', 'TCP', '80', 'nodes:vm1']);
});
