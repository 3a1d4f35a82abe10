/**
 * The dataplane as users reach it: `npm start`, the talk's store manifest applied with kubectl, then
 * `kubectl get nodedataplanes`, the node's rules through `kubectl get --raw`, a PacketTrace with
 * `kubectl create -f … -o yaml`, and `kplane trace` printing its table.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { load } from 'js-yaml';
import { kubectlOk as kubectlOkIn, storeManifest } from '../helpers/kubectl.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

const kubectlOptions = () => ({ kubeconfig: server.kubeconfigPath, cacheDir: join(dir.path, 'kube-cache') });
const kubectlOk = (...args: string[]) => kubectlOkIn(kubectlOptions(), ...args);

async function kplaneTrace(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      'dist/src/main.js',
      'trace',
      '--kubeconfig',
      server.kubeconfigPath,
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  await kubectlOk('apply', '-f', storeManifest);
  await eventually(async () =>
    assert.match(
      await kubectlOk('get', 'endpoints', 'store-be', '-n', 'store', '-o', 'jsonpath={.subsets[0].addresses[1].ip}'),
      /^10\.4\./,
    ),
  );
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('kubectl get nodedataplanes lists the three VMs with their rules', async () => {
  const out = await kubectlOk('get', 'nodedataplanes');
  const [header, ...rows] = out.trimEnd().split('\n');
  assert.deepEqual(header.trim().split(/\s{2,}/), [
    'NAME',
    'INTERNAL-IP',
    'EXTERNAL-IP',
    'POD-CIDR',
    'VETHS',
    'NAT-RULES',
    'FILTER-RULES',
    'CONNTRACK',
  ]);
  assert.deepEqual(
    rows.map((r) => r.split(/\s+/)[0]),
    ['vm1', 'vm2', 'vm3'],
  );
});

test('the node rules are served as iptables-save text', async () => {
  const clusterIP = await kubectlOk('get', 'svc', 'store-be', '-n', 'store', '-o', 'jsonpath={.spec.clusterIP}');
  const text = await kubectlOk('get', '--raw', '/apis/network.kplane.io/v1alpha1/nodedataplanes/vm1/iptables');
  assert.match(text, /^\*filter\n/);
  assert.ok(
    text.includes(
      `-A KUBE-SERVICES -d ${clusterIP}/32 -p tcp -m comment --comment "store/store-be:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-`,
    ),
    text,
  );
});

test('kubectl create -f trace.yaml -o yaml answers the trace', async () => {
  const file = join(dir.path, 'trace.yaml');
  await writeFile(
    file,
    'apiVersion: network.kplane.io/v1alpha1\nkind: PacketTrace\nspec:\n  from: {pod: store/fe-prod}\n  to: {service: store/store-be, port: http}\n',
  );
  const trace = load(await kubectlOk('create', '-f', file, '-o', 'yaml')) as {
    status: {
      outcome: string;
      deliveredTo: { pod: string };
      backends: { pod: string; probability: number }[];
      reply: { observedSource: { ip: string } };
    };
  };
  const clusterIP = await kubectlOk('get', 'svc', 'store-be', '-n', 'store', '-o', 'jsonpath={.spec.clusterIP}');
  assert.equal(trace.status.outcome, 'Delivered');
  assert.deepEqual(trace.status.backends.map((b) => [b.pod, b.probability]).sort(), [
    ['store/be-prod', 0.5],
    ['store/be-test', 0.5],
  ]);
  assert.ok(['store/be-prod', 'store/be-test'].includes(trace.status.deliveredTo.pod));
  assert.equal(trace.status.reply.observedSource.ip, clusterIP, 'the reply is un-DNATed back to the VIP');
});

test('kplane trace prints the hops as a table', async () => {
  const run = await kplaneTrace('--from', 'pod/store/fe-prod', '--to', 'svc/store/store-be:http');
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(
    lines[0],
    /^Delivered: TCP 10\.4\.\d+\.\d+:40000 → 10\.0\.\d+\.\d+:80 reached pod store\/be-(prod|test)/,
  );
  assert.match(lines[2], /^#\s+ACTION\s+NODE\s+NETNS\s+DEVICE\s+PACKET\s+RULE$/);
  assert.ok(
    lines.some((l) => /^\d+\s+DNAT\s+vm\d\s+root\s+-\s+.*-j DNAT --to-destination 10\.4\./.test(l)),
    run.stdout,
  );
  assert.ok(run.stdout.includes('Backends (share of new flows):'));
  const dropped = await kplaneTrace('--from', 'pod/store/fe-prod', '--to', 'ip/10.0.0.1:8080');
  assert.equal(dropped.code, 1);
  assert.match(dropped.stdout, /^Dropped \(NoRoute\)/);
  const bad = await kplaneTrace('--from', 'pod/store/nope', '--to', 'svc/store/store-be:http');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /spec\.from\.pod/);
});

test('a LoadBalancer Service made with kubectl gets an EXTERNAL-IP and is traced from the internet under both policies', async () => {
  await kubectlOk(
    '-n',
    'store',
    'expose',
    'pod',
    'be-prod',
    '--name=store-lb',
    '--type=LoadBalancer',
    '--port=80',
    '--selector=app=store,role=be',
  );
  const externalIP = await eventually(async () => {
    const row = (await kubectlOk('-n', 'store', 'get', 'svc', 'store-lb', '--no-headers')).trim().split(/\s+/);
    assert.match(row[3], /^203\.0\.113\.\d+$/, `EXTERNAL-IP column: ${row.join(' ')}`);
    return row[3];
  });
  const trace = async () => {
    const run = await kplaneTrace('--from', 'ip/192.0.2.7', '--to', `ip/${externalIP}:80`, '-o', 'json');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    return JSON.parse(run.stdout).status as {
      observedSource: { ip: string };
      reply: { observedSource: { ip: string } };
      backends: { pod: string; probability: number }[];
    };
  };
  const cluster = await trace();
  assert.notEqual(cluster.observedSource.ip, '192.0.2.7', 'externalTrafficPolicy Cluster masquerades the client');
  assert.equal(cluster.reply.observedSource.ip, externalIP);
  assert.deepEqual(cluster.backends.map((b) => [b.pod, b.probability]).sort(), [
    ['store/be-prod', 0.5],
    ['store/be-test', 0.5],
  ]);

  await kubectlOk('-n', 'store', 'patch', 'svc', 'store-lb', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}');
  const local = await eventually(async () => {
    const status = await trace();
    assert.equal(status.observedSource.ip, '192.0.2.7', 'externalTrafficPolicy Local keeps the client address');
    return status;
  });
  assert.equal(local.reply.observedSource.ip, externalIP);
  assert.deepEqual(local.backends.map((b) => b.pod).sort(), ['store/be-prod', 'store/be-test']);
});
