import assert from 'node:assert/strict';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlOk as kubectlOkIn, kubectlPath, runKubectl } from '../helpers/kubectl.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

const kubectlOptions = () => ({ kubeconfig: server.kubeconfigPath, cacheDir: join(dir.path, 'kube-cache') });
const kubectl = (...args: string[]) => runKubectl(kubectlOptions(), ...args);
const kubectlOk = (...args: string[]) => kubectlOkIn(kubectlOptions(), ...args);

/** kubectl's human-readable table as one record per row, keyed by header (columns are 3+ spaces apart). */
function parseTable(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  const columns = header.trim().split(/\s{2,}/);
  return lines.map((line) => {
    const cells = line.trim().split(/\s{2,}/);
    assert.equal(cells.length, columns.length, `row ${JSON.stringify(line)} under ${JSON.stringify(header)}`);
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
  });
}

async function getTable(...args: string[]): Promise<{ columns: string[]; rows: Record<string, string>[] }> {
  const out = await kubectlOk('get', ...args);
  return {
    columns: out
      .split('\n')[0]
      .trim()
      .split(/\s{2,}/),
    rows: parseTable(out),
  };
}

const AGE = /^\d+[smhdy]/;

before(async () => {
  await access(kubectlPath, constants.X_OK);
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  await kubectlOk('run', 'web', '--image=nginx', '--labels=app=web');
  await kubectlOk('expose', 'pod', 'web', '--port=80', '--target-port=8080', '--type=NodePort');
  await eventually(async () =>
    assert.match(await kubectlOk('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'), /^\d+\.\d+\.\d+\.\d+$/),
  );
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('kubectl get pods -o wide: READY, STATUS, IP and NODE from the simulated kubelet', async () => {
  const podIP = await kubectlOk('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}');
  const nodeName = await kubectlOk('get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}');
  const { columns, rows } = await eventually(async () => {
    const table = await getTable('pods', '-o', 'wide');
    assert.equal(table.rows[0].READY, '1/1');
    return table;
  });
  assert.deepEqual(columns, [
    'NAME',
    'READY',
    'STATUS',
    'RESTARTS',
    'AGE',
    'IP',
    'NODE',
    'NOMINATED NODE',
    'READINESS GATES',
  ]);
  assert.equal(rows.length, 1);
  const web = rows[0];
  assert.deepEqual(
    [web.NAME, web.READY, web.STATUS, web.RESTARTS, web.IP, web.NODE],
    ['web', '1/1', 'Running', '0', podIP, nodeName],
  );
  assert.match(nodeName, /^vm[123]$/);
  assert.deepEqual([web['NOMINATED NODE'], web['READINESS GATES']], ['<none>', '<none>']);
  assert.match(web.AGE, AGE);
  const single = await getTable('pod', 'web');
  assert.deepEqual(single.columns, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  assert.deepEqual([single.rows[0].NAME, single.rows[0].STATUS], ['web', 'Running']);
});

test('kubectl get svc: CLUSTER-IP and PORT(S)', async () => {
  const clusterIP = await kubectlOk('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  const nodePort = await kubectlOk('get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}');
  const { columns, rows } = await getTable('svc');
  assert.deepEqual(columns, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  const byName = Object.fromEntries(rows.map((r) => [r.NAME, r]));
  assert.deepEqual(
    [byName.kubernetes.TYPE, byName.kubernetes['EXTERNAL-IP'], byName.kubernetes['PORT(S)']],
    ['ClusterIP', '<none>', '443/TCP'],
  );
  assert.match(byName.kubernetes['CLUSTER-IP'], /^\d+\.\d+\.\d+\.1$/);
  assert.deepEqual(
    [byName.web.TYPE, byName.web['CLUSTER-IP'], byName.web['EXTERNAL-IP'], byName.web['PORT(S)']],
    ['NodePort', clusterIP, '<none>', `80:${nodePort}/TCP`],
  );
  const wide = await getTable('svc', 'web', '-o', 'wide');
  assert.equal(wide.rows[0].SELECTOR, 'app=web');
});

test('kubectl get nodes: the three simulated VMs, Ready', async () => {
  const { columns, rows } = await getTable('nodes');
  assert.deepEqual(columns, ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  assert.deepEqual(
    rows.map((r) => r.NAME),
    ['vm1', 'vm2', 'vm3'],
  );
  for (const r of rows) {
    assert.deepEqual([r.STATUS, r.ROLES], ['Ready', '<none>']);
    assert.match(r.VERSION, /^v1\.\d+/);
    assert.match(r.AGE, AGE);
  }
  const wide = await getTable('nodes', '-o', 'wide');
  assert.deepEqual(wide.columns.slice(5), [
    'INTERNAL-IP',
    'EXTERNAL-IP',
    'OS-IMAGE',
    'KERNEL-VERSION',
    'CONTAINER-RUNTIME',
  ]);
  for (const r of wide.rows) assert.match(r['INTERNAL-IP'], /^\d+\.\d+\.\d+\.\d+$/);
});

test('kubectl get ns', async () => {
  const { columns, rows } = await getTable('ns');
  assert.deepEqual(columns, ['NAME', 'STATUS', 'AGE']);
  assert.deepEqual(
    rows.map((r) => `${r.NAME} ${r.STATUS}`),
    ['default Active', 'kube-node-lease Active', 'kube-public Active', 'kube-system Active'],
  );
});

test('kubectl get ep: ready pod addresses with their target ports', async () => {
  const podIP = await kubectlOk('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}');
  const { columns, rows } = await eventually(async () => {
    const table = await getTable('ep');
    assert.equal(table.rows.find((r) => r.NAME === 'web')?.ENDPOINTS, `${podIP}:8080`);
    return table;
  });
  assert.deepEqual(columns, ['NAME', 'ENDPOINTS', 'AGE']);
  assert.match(rows.find((r) => r.NAME === 'kubernetes')!.ENDPOINTS, /^\d+\.\d+\.\d+\.\d+:6443$/);
});

test('kubectl get pods -A: the NAMESPACE column comes from the rows metadata', async () => {
  const { columns, rows } = await getTable('pods', '-A');
  assert.deepEqual(columns, ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  const names = rows.map((r) => `${r.NAMESPACE}/${r.NAME}`);
  assert.ok(names.includes('default/web'), names.join(' '));
  assert.equal(names.filter((n) => /^kube-system\/coredns-/.test(n)).length, 2, names.join(' '));
});

test('kubectl get ingress with none: "No resources found in default namespace."', async () => {
  const run = await kubectl('get', 'ingress');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr.trim(), 'No resources found in default namespace.');
});

test('kubectl api-resources revalidates its cached aggregated discovery by ETag', async () => {
  // api-resources drops the discovery cache and asks again; the HTTP cache under --cache-dir sends
  // If-None-Match and answers from its copy (X-From-Cache) only when the server said 304.
  const run = await kubectl('api-resources', '-v=9');
  assert.equal(run.code, 0, run.stderr);
  // Each response's headers: from its status line to the next request's.
  for (const response of [
    /GET https:\S+\/api\?timeout=32s 200[^]*?(?=curl|$)/,
    /GET https:\S+\/apis\?timeout=32s 200[^]*?(?=curl|$)/,
  ]) {
    const headers = run.stderr.match(response)?.[0];
    assert.ok(headers, `${response}`);
    assert.match(headers, /Content-Type: application\/json;\s*g="?apidiscovery\.k8s\.io"?;\s*v="?v2"?/, `${response}`);
    assert.match(headers, /Etag: "[0-9A-F]{128}"/, `${response}`);
    assert.match(headers, /X-From-Cache: 1/, `${response}`);
  }
});
