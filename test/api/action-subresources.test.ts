/** Action subresources: binding a pod to a node (`pods/<name>/binding`, `bindings`) and finalizing a namespace. */
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { kubeconfigFor } from '../../src/config/kubeconfig.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let url: string;
before(async () => {
  t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
});
after(() => t.close());

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});
const binding = (name: string, node: unknown = 'vm1') => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name },
  target: { apiVersion: 'v1', kind: 'Node', name: node },
});
const inject = (method: 'POST' | 'GET' | 'PUT', path: string, payload?: unknown) =>
  t.app.inject({ method, url: path, payload: payload as object });
const nodeOf = async (name: string) =>
  (await inject('GET', `/api/v1/namespaces/default/pods/${name}`)).json().spec.nodeName;

test('POST pods/<name>/binding sets spec.nodeName and answers a Success Status', async () => {
  await inject('POST', '/api/v1/namespaces/default/pods', pod('p1'));
  const res = await inject('POST', '/api/v1/namespaces/default/pods/p1/binding', binding('p1'));
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  assert.equal(await nodeOf('p1'), 'vm1');
});

test('a pod already bound answers 409 Conflict naming its node', async () => {
  const res = await inject('POST', '/api/v1/namespaces/default/pods/p1/binding', binding('p1', 'vm2'));
  assert.equal(res.statusCode, 409);
  assert.match(res.json().message, /pod p1 is already assigned to node "vm1"/);
  assert.equal(await nodeOf('p1'), 'vm1');
});

const bad: { name: string; path: string; body: unknown; code: number }[] = [
  { name: 'a missing pod', path: '/api/v1/namespaces/default/pods/nope/binding', body: binding('nope'), code: 404 },
  {
    name: 'no target name',
    path: '/api/v1/namespaces/default/pods/p2/binding',
    body: { kind: 'Binding', metadata: { name: 'p2' }, target: { kind: 'Node' } },
    code: 422,
  },
  {
    name: 'a target that is not a Node',
    path: '/api/v1/namespaces/default/pods/p2/binding',
    body: { kind: 'Binding', metadata: { name: 'p2' }, target: { kind: 'Pod', name: 'x' } },
    code: 422,
  },
  {
    name: 'another kind of body',
    path: '/api/v1/namespaces/default/pods/p2/binding',
    body: { kind: 'Pod', metadata: { name: 'p2' } },
    code: 400,
  },
  {
    name: 'a name that is not the pod’s',
    path: '/api/v1/namespaces/default/pods/p2/binding',
    body: binding('other'),
    code: 400,
  },
  {
    name: 'a Binding collection body without a name',
    path: '/api/v1/namespaces/default/bindings',
    body: { kind: 'Binding', target: { name: 'vm1' } },
    code: 422,
  },
];
for (const tc of bad) {
  test(`binding with ${tc.name} is a ${tc.code} Status and binds nothing`, async () => {
    await inject('POST', '/api/v1/namespaces/default/pods', pod('p2'));
    const res = await inject('POST', tc.path, tc.body);
    assert.equal(res.statusCode, tc.code, res.body);
    assert.equal(res.json().kind, 'Status');
    assert.equal(await nodeOf('p2'), undefined);
  });
}

test('binding only takes POST', async () => {
  assert.equal((await inject('GET', '/api/v1/namespaces/default/pods/p2/binding')).statusCode, 405);
  assert.equal((await inject('PUT', '/api/v1/namespaces/default/pods/p2/binding', binding('p2'))).statusCode, 405);
});

test('discovery lists pods/binding (create) and bindings', async () => {
  const resources = (await inject('GET', '/api/v1')).json().resources as {
    name: string;
    kind: string;
    verbs: string[];
  }[];
  assert.deepEqual(
    resources.find((r) => r.name === 'pods/binding'),
    { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] },
  );
  assert.deepEqual(resources.find((r) => r.name === 'bindings')?.verbs, ['create']);
});

test('client-node createNamespacedBinding (POST bindings) binds the pod', async () => {
  await inject('POST', '/api/v1/namespaces/default/pods', pod('p3'));
  const kc = new k8s.KubeConfig();
  kc.loadFromString(dump(kubeconfigFor({ server: url, token: 'unused' })));
  await kc.makeApiClient(k8s.CoreV1Api).createNamespacedBinding({
    namespace: 'default',
    body: { metadata: { name: 'p3' }, target: { kind: 'Node', name: 'vm3' } },
  });
  assert.equal(await nodeOf('p3'), 'vm3');
});

test('PUT namespaces/<name>/finalize replaces spec.finalizers only; emptying them removes a terminating namespace', async () => {
  await inject('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stuck' } });
  const deleting = await t.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/stuck' });
  assert.equal(deleting.statusCode, 202, 'held by the kubernetes finalizer (no namespace controller here)');
  const kept = await inject('PUT', '/api/v1/namespaces/stuck/finalize', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'stuck', labels: { ignored: 'yes' } },
    spec: { finalizers: ['kubernetes', 'example.com/hold'] },
  });
  assert.equal(kept.statusCode, 200, kept.body);
  assert.deepEqual(kept.json().spec.finalizers, ['kubernetes', 'example.com/hold']);
  assert.equal(kept.json().metadata.labels.ignored, undefined, 'only spec.finalizers changes');
  assert.equal(kept.json().status.phase, 'Terminating');
  const bad = await inject('PUT', '/api/v1/namespaces/stuck/finalize', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'stuck' },
    spec: { finalizers: [1] },
  });
  assert.equal(bad.statusCode, 400);
  const released = await inject('PUT', '/api/v1/namespaces/stuck/finalize', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'stuck' },
    spec: { finalizers: [] },
  });
  assert.equal(released.statusCode, 200, released.body);
  assert.equal((await inject('GET', '/api/v1/namespaces/stuck')).statusCode, 404);
  assert.equal((await inject('POST', '/api/v1/namespaces/default/finalize', {})).statusCode, 405);
});

test('a body without Content-Type is read as JSON, as kube-apiserver does (kubectl replace --raw sends none)', async () => {
  await inject('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'raw' } });
  await t.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/raw' });
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'raw' },
    spec: { finalizers: [] },
  });
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      `${url}/api/v1/namespaces/raw/finalize`,
      { method: 'PUT', headers: { 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(status, 200);
  assert.equal((await inject('GET', '/api/v1/namespaces/raw')).statusCode, 404);
});
