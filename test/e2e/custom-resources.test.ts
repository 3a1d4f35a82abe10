import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { kubectlOk as kubectlOkIn, runKubectl } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { widgetCrd } from '../apiextensions/fixtures.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

const kubectlOptions = () => ({ kubeconfig: server.kubeconfigPath, cacheDir: join(dir.path, 'kube-cache') });
const kubectl = (...args: string[]) => runKubectl(kubectlOptions(), ...args);
const kubectlOk = (...args: string[]) => kubectlOkIn(kubectlOptions(), ...args);

/** One YAML stream of the CRD and two objects of its kind. */
const manifest = [
  widgetCrd(),
  { apiVersion: 'example.kplane.io/v1', kind: 'Widget', metadata: { name: 'first' }, spec: { color: 'red' } },
  {
    apiVersion: 'example.kplane.io/v1',
    kind: 'Widget',
    metadata: { name: 'second' },
    spec: { color: 'blue', replicas: 3 },
  },
]
  .map((doc) => dump(doc))
  .join('---\n');

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  await writeFile(join(dir.path, 'widgets.yaml'), manifest);
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('kubectl apply -f of a CRD and its objects: the CRD is established at once, the objects apply on the next run', async () => {
  const file = join(dir.path, 'widgets.yaml');
  // kubectl resolves the kind of every object in the file before it creates any, so on the first
  // run only the CRD is created (upstream too: "ensure CRDs are installed first").
  const first = await kubectl('apply', '-f', file);
  assert.notEqual(first.code, 0);
  assert.equal(first.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.kplane.io created');
  assert.match(
    first.stderr,
    /no matches for kind "Widget" in version "example.kplane.io\/v1"\nensure CRDs are installed first/,
  );
  // The CRD was established before its create returned: the next run needs no wait.
  const established = '{.status.conditions[?(@.type=="Established")].status}';
  assert.equal(await kubectlOk('get', 'crd', 'widgets.example.kplane.io', '-o', `jsonpath=${established}`), 'True');
  const second = await kubectlOk('apply', '-f', file);
  assert.deepEqual(second.trim().split('\n'), [
    'customresourcedefinition.apiextensions.k8s.io/widgets.example.kplane.io unchanged',
    'widget.example.kplane.io/first created',
    'widget.example.kplane.io/second created',
  ]);
  assert.equal(
    await kubectlOk('get', 'wd', 'second', '-o', 'jsonpath={.spec}'),
    '{"color":"blue","replicas":3,"size":"M"}',
  );
});

test('kubectl get shows the printer columns; explain reads the CRD schema', async () => {
  const out = await kubectlOk('get', 'widgets');
  const [header, ...rows] = out.trim().split('\n');
  assert.deepEqual(header.trim().split(/\s{2,}/), ['NAME', 'COLOR', 'REPLICAS', 'READY']);
  // A column whose path finds nothing is a null cell, which kubectl prints empty.
  assert.deepEqual(
    rows.map((r) => r.trim().split(/\s{2,}/)),
    [
      ['first', 'red', '1'],
      ['second', 'blue', '3'],
    ],
  );
  assert.match(await kubectlOk('get', 'all'), /widget\.example\.kplane\.io\/first/);
  const explain = await kubectlOk('explain', 'widget.spec');
  assert.match(explain, /KIND:\s+Widget/);
  assert.match(explain, /What the widget should be\./);
  assert.match(explain, /color\s+<string> -required-/);
  assert.match(explain, /The colour of the widget\./);
});

test('a schema violation comes back with its field path', async () => {
  const run = await kubectl('patch', 'widget', 'first', '--type=merge', '-p', '{"spec":{"replicas":"many"}}');
  assert.notEqual(run.code, 0);
  assert.match(
    run.stderr,
    /The Widget "first" is invalid: spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/,
  );
  const strategic = await kubectl('patch', 'widget', 'first', '-p', '{"spec":{"replicas":2}}');
  assert.notEqual(strategic.code, 0);
  assert.match(strategic.stderr, /the body of the request was in an unknown format/);
});

test('client-node CustomObjectsApi creates, lists and merge-patches custom objects', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const where = { group: 'example.kplane.io', version: 'v1', namespace: 'default', plural: 'widgets' };
  const created = (await api.createNamespacedCustomObject({
    ...where,
    body: {
      apiVersion: 'example.kplane.io/v1',
      kind: 'Widget',
      metadata: { name: 'from-node' },
      spec: { color: 'red' },
    },
  })) as { spec: { replicas: number } };
  assert.equal(created.spec.replicas, 1);
  const list = (await api.listNamespacedCustomObject(where)) as { items: { metadata: { name: string } }[] };
  assert.deepEqual(list.items.map((w) => w.metadata.name).sort(), ['first', 'from-node', 'second']);
  const patched = (await api.patchNamespacedCustomObject(
    { ...where, name: 'from-node', body: { spec: { replicas: 5 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as { spec: { replicas: number; color: string } };
  assert.deepEqual([patched.spec.replicas, patched.spec.color], [5, 'red']);
});

test('kubectl delete crd deletes its objects, and the kind is gone', async () => {
  await kubectlOk('delete', 'crd', 'widgets.example.kplane.io');
  const gone = await kubectl('get', 'widgets.example.kplane.io');
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /the server doesn't have a resource type "widgets"/);
  // Recreated, the kind starts empty: the old objects were deleted, not left in storage.
  await kubectl('apply', '-f', join(dir.path, 'widgets.yaml'));
  assert.equal(await kubectlOk('get', 'widgets', '-o', 'name'), '');
});
