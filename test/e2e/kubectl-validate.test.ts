/**
 * kubectl's client-side validation of `-f` files, without `--validate=false`: 1.27 and 1.28 need
 * OpenAPI v2 in protobuf for it, later clients fall back to v2 for kinds OpenAPI v3 does not list.
 * A refused object in the middle of a file does not stop kubectl: it creates the others and
 * reports the errors at the end, exiting 1.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectlVersion, runKubectl } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

function kubectlFor(minor: number, cache = `cache-${minor}`) {
  return (...args: string[]) =>
    runKubectl(
      { kubeconfig: server.kubeconfigPath, cacheDir: join(dir.path, cache), binary: kubectlVersion(minor) },
      ...args,
    );
}

async function manifest(name: string, ...documents: string[]): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, documents.join('---\n'));
  return path;
}

const namespaceYaml = (name: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${name}}
`;
const serviceYaml = (namespace: string, name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${name}}
  ports: [{port: 80}]
`;
const podYaml = (namespace: string, name: string, container = '{name: web, image: nginx}') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}}}
spec:
  containers: [${container}]
`;

for (const minor of [27, 28]) {
  describe(`kubectl 1.${minor}`, () => {
    const kubectl = kubectlFor(minor);
    const namespace = `validated-${minor}`;

    test('apply -f of a multi-document file validates with OpenAPI v2 in protobuf and creates every object', async () => {
      const path = await manifest(
        `all-${minor}.yaml`,
        namespaceYaml(namespace),
        serviceYaml(namespace, 'web'),
        podYaml(namespace, 'web'),
      );
      const run = await kubectl('apply', '-f', path, '-v=6');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /GET \S+\/openapi\/v2\?timeout=32s 200 OK/);
      assert.deepEqual(run.stdout.trim().split('\n'), [
        `namespace/${namespace} created`,
        'service/web created',
        'pod/web created',
      ]);
      const got = await kubectl('-n', namespace, 'get', 'svc/web', 'pod/web', '-o', 'name');
      assert.deepEqual(got.stdout.trim().split('\n'), ['service/web', 'pod/web']);
    });

    test('apply -f of a changed object patches it, with no warning about the served schemas', async () => {
      const path = await manifest(`changed-${minor}.yaml`, podYaml(namespace, 'web', '{name: web, image: nginx:1.27}'));
      const run = await kubectl('apply', '-f', path);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), 'pod/web configured');
      assert.equal(run.stderr, '');
      const got = await kubectl('-n', namespace, 'get', 'pod/web', '-o', 'jsonpath={.spec.containers[0].image}');
      assert.equal(got.stdout, 'nginx:1.27');
    });

    test("a second run revalidates the cached OpenAPI v2 document and v3 index by their ETags (kubectl's HTTP cache)", async () => {
      const path = await manifest(`again-${minor}.yaml`, serviceYaml(namespace, 'web'));
      const run = await kubectl('apply', '-f', path, '-v=9');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /service\/web unchanged/);
      // Neither carries freshness, so the cache must ask again; it answers from the cache
      // (X-From-Cache) only when the server said 304 to its If-None-Match.
      for (const url of [/GET \S+\/openapi\/v2\?timeout=32s/, /GET \S+\/openapi\/v3\?timeout=32s/]) {
        const afterRequest = run.stderr.slice(run.stderr.search(url));
        const headers = afterRequest.slice(0, afterRequest.indexOf('Response Body'));
        assert.match(headers, /Etag: "[0-9A-F]{128}"/, `${url}`);
        assert.match(headers, /X-From-Cache: 1/, `${url}`);
      }
    });
  });
}

for (const minor of [27, 28, 33]) {
  test(`kubectl 1.${minor} apply -f goes on past refused and unknown objects and reports them at the end`, async () => {
    const kubectl = kubectlFor(minor);
    const namespace = `partial-${minor}`;
    await kubectl('create', 'namespace', namespace);
    const path = await manifest(
      `partial-${minor}.yaml`,
      serviceYaml(namespace, 'first'),
      podYaml(namespace, 'unknown', '{name: web, image: nginx, colour: blue}'),
      podYaml(namespace, 'mistyped', '{name: web, image: nginx, ports: [{containerPort: eighty}]}'),
      // A kind no group-version serves: kubectl looks for a CRD (a 404 here, no CRDs are served),
      // falls back to OpenAPI v2, and ends with the error kube-apiserver's clients get.
      `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ${namespace}}\n`,
      serviceYaml(namespace, 'last'),
    );
    const run = await kubectl('apply', '-f', path);
    assert.equal(run.code, 1);
    assert.deepEqual(run.stdout.trim().split('\n'), ['service/first created', 'service/last created']);
    const [unmapped, ensure, ...errors] = run.stderr.trim().split('\n');
    assert.equal(
      unmapped,
      `resource mapping not found for name: "w" namespace: "${namespace}" from "${path}": no matches for kind "Widget" in version "example.com/v1"`,
    );
    assert.equal(ensure, 'ensure CRDs are installed first');
    assert.equal(errors.length, 2, run.stderr);
    assert.equal(
      errors[0],
      `Error from server (BadRequest): error when creating "${path}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].colour"`,
    );
    assert.match(
      errors[1],
      /^Error from server \(BadRequest\): error when creating ".*": Pod in version "v1" cannot be handled as a Pod: .*containerPort/,
    );
    const got = await kubectl('-n', namespace, 'get', 'svc,pods', '-o', 'name');
    assert.deepEqual(got.stdout.trim().split('\n'), ['service/first', 'service/last']);
  });
}
