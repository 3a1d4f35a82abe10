import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlPath, runKubectl, storeManifest } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;
let cacheDir: Awaited<ReturnType<typeof scratchDir>>;

before(async () => {
  assert.ok(existsSync(kubectlPath), `${kubectlPath} is required for this test`);
  dir = await scratchDir();
  cacheDir = await scratchDir('kplane-kubectl-cache-');
  server = await startServerProcess(dir.path);
});

after(async () => {
  await server?.stop();
  await dir?.remove();
  await cacheDir?.remove();
});

const kubectl = (...args: string[]) =>
  runKubectl({ kubeconfig: server.kubeconfigPath, cacheDir: cacheDir.path }, ...args);

async function manifest(name: string, text: string): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, text);
  return path;
}

const podYaml = (name: string, extraSpec = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  ${extraSpec}
  containers: [{name: web, image: nginx}]
`;

test('create -f validates on the server: kubectl finds fieldValidation in OpenAPI v3 and sends Strict', async () => {
  const run = await kubectl('create', '-f', await manifest('solo.yaml', podYaml('solo')), '-v=6');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /pod\/solo created/);
  assert.match(run.stderr, /GET \S+\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+&timeout=32s 200/);
  assert.match(
    run.stderr,
    /POST \S+\/api\/v1\/namespaces\/default\/pods\?fieldManager=kubectl-create&fieldValidation=Strict 201/,
  );
});

test('apply -f store.yaml creates, then finds everything unchanged', async () => {
  const first = await kubectl('apply', '-f', storeManifest);
  assert.equal(first.code, 0, first.stderr);
  for (const obj of ['namespace/store', 'pod/fe-test', 'pod/db', 'service/store-be'])
    assert.match(first.stdout, new RegExp(`${obj} created`));
  const again = await kubectl('apply', '-f', storeManifest);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /pod\/fe-test unchanged/);
});

test('apply -f of a changed object patches it under Strict validation, opaque fields included', async () => {
  // Maps inside opaque objects (affinity, securityContext, valueFrom) must not trip kubectl's patch computation.
  const manifestText = (labels: string, image: string) => `apiVersion: v1
kind: Pod
metadata: {name: applied, namespace: default, labels: {${labels}}}
spec:
  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}}]}}
  securityContext: {runAsUser: 1000}
  containers:
  - name: web
    image: ${image}
    securityContext: {privileged: false}
    env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
`;
  const path = await manifest('applied.yaml', manifestText('tier: web', 'nginx:1.25'));
  const created = await kubectl('apply', '-f', path);
  assert.equal(created.code, 0, created.stderr);
  await writeFile(path, manifestText('tier: api', 'nginx:1.27'));
  const run = await kubectl('apply', '-f', path, '-v=6');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /pod\/applied configured/);
  const printed = run.stderr.split('\n').filter((line) => line && !/^[IWE]\d{4} /.test(line)); // without klog's -v lines
  assert.deepEqual(printed, []);
  assert.match(
    run.stderr,
    /PATCH \S+\/pods\/applied\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict 200/,
  );
  const got = JSON.parse((await kubectl('get', 'pod', 'applied', '-o', 'json')).stdout);
  assert.equal(got.metadata.labels.tier, 'api');
  assert.equal(got.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual(got.spec.securityContext, { runAsUser: 1000 });
  assert.equal((await kubectl('apply', '-f', path)).stdout.trim(), 'pod/applied unchanged');
});

test('a manifest with unknown fields is refused with the strict decoding error', async () => {
  const path = await manifest('bad.yaml', podYaml('bad', 'colour: blue'));
  const create = await kubectl('create', '-f', path);
  assert.notEqual(create.code, 0);
  assert.match(
    create.stderr,
    /Error from server \(BadRequest\): error when creating ".*bad\.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.colour"/,
  );
  const apply = await kubectl('apply', '-f', path);
  assert.notEqual(apply.code, 0);
  assert.match(apply.stderr, /strict decoding error: unknown field "spec\.colour"/);
  const get = await kubectl('get', 'pod', 'bad');
  assert.match(get.stderr, /NotFound/);
});

test('--validate=warn stores the object without the unknown field and prints the warning', async () => {
  const run = await kubectl(
    'create',
    '--validate=warn',
    '-f',
    await manifest('warned.yaml', podYaml('warned', 'colour: blue')),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Warning: unknown field "spec\.colour"/);
  const spec = JSON.parse((await kubectl('get', 'pod', 'warned', '-o', 'jsonpath={.spec}')).stdout);
  assert.equal(spec.colour, undefined);
});

const explained: { path: string; expect: RegExp[] }[] = [
  {
    path: 'pod.spec',
    expect: [
      /KIND:\s+Pod/,
      /FIELD: spec <PodSpec>/,
      /containers\s+<\[\]Container>/,
      /List of containers belonging to the pod/,
    ],
  },
  {
    path: 'service.spec.ports',
    expect: [/FIELD: ports <\[\]ServicePort>/, /targetPort\s+<IntOrString>/, /port\s+<integer> -required-/],
  },
  { path: 'ingress.spec', expect: [/GROUP:\s+networking\.k8s\.io/, /rules\s+<\[\]IngressRule>/] },
];
for (const tc of explained) {
  test(`kubectl explain ${tc.path}`, async () => {
    const run = await kubectl('explain', tc.path);
    assert.equal(run.code, 0, run.stderr);
    for (const re of tc.expect) assert.match(run.stdout, re);
  });
}
