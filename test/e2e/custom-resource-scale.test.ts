import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dump } from 'js-yaml';
import { kubectlOk as kubectlOkIn, kubectlVersion, runKubectl } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { scalableWidgetCrd } from '../apiextensions/fixtures.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

const kubectlOptions = (binary?: string) => ({
  kubeconfig: server.kubeconfigPath,
  cacheDir: join(dir.path, `kube-cache-${binary ? binary.split('.').pop() : 'default'}`),
  binary,
});
const kubectl = (...args: string[]) => runKubectl(kubectlOptions(), ...args);
const kubectlOk = (...args: string[]) => kubectlOkIn(kubectlOptions(), ...args);
const scalePath = '/apis/example.kplane.io/v1/namespaces/default/widgets/first/scale';

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  await writeFile(join(dir.path, 'crd.yaml'), dump(scalableWidgetCrd()));
  await writeFile(
    join(dir.path, 'widget.yaml'),
    dump({ apiVersion: 'example.kplane.io/v1', kind: 'Widget', metadata: { name: 'first' }, spec: { color: 'red' } }),
  );
  await kubectlOk('apply', '-f', join(dir.path, 'crd.yaml'));
  await kubectlOk('apply', '-f', join(dir.path, 'widget.yaml'));
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('kubectl scale of a custom object changes its spec.replicas; get --raw reads the Scale', async () => {
  assert.equal(
    (await kubectlOk('scale', 'widget/first', '--replicas=5')).trim(),
    'widget.example.kplane.io/first scaled',
  );
  assert.equal(await kubectlOk('get', 'widget', 'first', '-o', 'jsonpath={.spec.replicas}'), '5');
  const scale = JSON.parse(await kubectlOk('get', '--raw', scalePath));
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.equal(scale.metadata.name, 'first');
  assert.deepEqual(scale.spec, { replicas: 5 });
  assert.deepEqual(scale.status, { replicas: 0 });
  // The kind's columns, read from the Scale (upstream's Table of a custom kind's scale subresource).
  const [header, row] = (await kubectlOk('get', 'widget', 'first', '--subresource=scale')).trim().split('\n');
  assert.deepEqual(header.trim().split(/\s{2,}/), ['NAME', 'COLOR', 'REPLICAS', 'READY']);
  assert.deepEqual(row.trim().split(/\s{2,}/), ['first', '5']);
});

test('kubectl scale --current-replicas reads the Scale, then replaces it; a wrong precondition fails', async () => {
  await kubectlOk('scale', 'widget/first', '--replicas=5');
  await kubectlOk('scale', 'widget/first', '--current-replicas=5', '--replicas=2');
  assert.equal(await kubectlOk('get', 'widget', 'first', '-o', 'jsonpath={.spec.replicas}'), '2');
  const wrong = await kubectl('scale', 'widget/first', '--current-replicas=9', '--replicas=3');
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /Expected replicas to be 9, was 2/);
});

for (const minor of [27, 33]) {
  test(`kubectl 1.${minor} scale finds the Scale kind through discovery`, async () => {
    const opts = kubectlOptions(kubectlVersion(minor));
    await kubectlOkIn(opts, 'scale', 'widget/first', `--replicas=${minor}`);
    assert.equal(await kubectlOkIn(opts, 'get', 'widget', 'first', '-o', 'jsonpath={.spec.replicas}'), String(minor));
  });
}
