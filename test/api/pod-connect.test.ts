/** `pods/<name>/log` served from the kubelet's log store, and the exec/attach/portforward refusals. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { podLogHandlers } from '../../src/podlogs/handler.js';
import { PodLogStore } from '../../src/podlogs/store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let base: string;
const logs = new PodLogStore();
const ns = '/api/v1/namespaces/default';
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
let webUid: string;

before(async () => {
  t = await startTestApp({ connect: podLogHandlers(logs) });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  webUid = await running('web', [{ name: 'web', image: 'nginx' }]);
  for (const [i, text] of ['one', 'two', 'three'].entries())
    logs.append({ namespace: 'default', name: 'web', uid: webUid }, 'web', text, at(i));
  await running('pair', [
    { name: 'a', image: 'nginx' },
    { name: 'b', image: 'nginx' },
  ]);
});
after(async () => t.close());

/** Creates a pod bound to vm1 whose containers run, as the kubelet reports them; resolves with its uid. */
async function running(name: string, containers: { name: string; image: string }[]): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: `${ns}/pods`,
    payload: { metadata: { name }, spec: { nodeName: 'vm1', containers } },
  });
  assert.equal(created.statusCode, 201, created.body);
  const pod = created.json();
  const containerStatuses = containers.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    restartCount: 0,
    ready: true,
    state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
  }));
  const updated = await t.app.inject({
    method: 'PUT',
    url: `${ns}/pods/${name}/status`,
    payload: { ...pod, status: { phase: 'Running', containerStatuses } },
  });
  assert.equal(updated.statusCode, 200, updated.body);
  return pod.metadata.uid;
}

const get = (url: string, method: 'GET' | 'POST' = 'GET') => t.app.inject({ method, url });

test('the log is plain text; tailLines, timestamps, sinceTime and limitBytes select from it', async () => {
  const cases: [string, string][] = [
    ['', 'one\ntwo\nthree\n'],
    ['?tailLines=2', 'two\nthree\n'],
    ['?tailLines=0', ''],
    ['?timestamps=true&tailLines=1', '2026-01-01T00:00:02.000000000Z three\n'],
    ['?sinceTime=2026-01-01T00:00:01Z', 'two\nthree\n'],
    ['?limitBytes=6', 'one\ntw'],
    ['?container=web&previous=false', 'one\ntwo\nthree\n'],
  ];
  for (const [query, body] of cases) {
    const res = await get(`${ns}/pods/web/log${query}`);
    assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.equal(res.body, body, query);
  }
});

test('bad log requests get upstream Status errors', async () => {
  const cases: [string, number, string][] = [
    ['pair/log', 400, 'a container name must be specified for pod pair, choose one of: [a b]'],
    ['pair/log?container=c', 400, 'container c is not valid for pod pair'],
    ['web/log?previous=true', 400, 'previous terminated container "web" in pod "web" not found'],
    [
      'web/log?tailLines=-1',
      422,
      'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
    ],
    ['web/log?follow=maybe', 400, 'follow: strconv.ParseBool: parsing "maybe": invalid syntax'],
    ['ghost/log', 404, 'pods "ghost" not found'],
  ];
  for (const [path, code, message] of cases) {
    const res = await get(`${ns}/pods/${path}`);
    assert.equal(res.statusCode, code, `${path}: ${res.body}`);
    assert.equal(res.json().message, message, path);
  }
  assert.equal((await get(`${ns}/pods/web/log`, 'POST')).statusCode, 405);
});

test('follow streams new lines until the container exits', async () => {
  const ref = { namespace: 'default', name: 'web', uid: webUid };
  const received: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    http
      .get(`${base}${ns}/pods/web/log?follow=true&tailLines=1`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          if (received.join('') === 'three\n') logs.append(ref, 'web', 'four', at(3));
          if (received.join('') === 'three\nfour\n') logs.exited(ref, 'web', 'bye', at(4));
        });
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
  await done;
  assert.equal(received.join(''), 'three\nfour\nbye\n');
});

test('exec, attach and portforward are 400s saying nothing runs, also when kubectl asks to upgrade', async () => {
  for (const sub of ['exec', 'attach', 'portforward'])
    for (const method of ['GET', 'POST'] as const) {
      const res = await get(`${ns}/pods/web/${sub}?command=ls&stdout=true`, method);
      assert.equal(res.statusCode, 400, `${method} ${sub}`);
      assert.match(res.json().message, /^kplane simulates pods: no container process runs in them/);
    }
  const upgraded = await new Promise<{ code: number; body: string }>((resolve, reject) => {
    const req = http.request(`${base}${ns}/pods/web/exec?command=ls`, {
      method: 'POST',
      headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode!, body }));
    });
    req.on('upgrade', () => reject(new Error('the connection was upgraded')));
    req.on('error', reject);
    req.end();
  });
  assert.equal(upgraded.code, 400);
  assert.match(JSON.parse(upgraded.body).message, /nothing to exec into/);
  assert.equal((await get(`${ns}/pods/ghost/exec`)).statusCode, 404);
});

test('discovery lists the connect subresources with their verbs and kinds, as kube-apiserver does', async () => {
  const list = (await get('/api/v1')).json() as { resources: { name: string; verbs: string[]; kind: string }[] };
  const sub = (name: string) => {
    const r = list.resources.find((x) => x.name === name);
    return r && `${r.kind} ${r.verbs.join(',')}`;
  };
  assert.equal(sub('pods/log'), 'Pod get');
  assert.equal(sub('pods/exec'), 'PodExecOptions create,get');
  assert.equal(sub('pods/attach'), 'PodAttachOptions create,get');
  assert.equal(sub('pods/portforward'), 'PodPortForwardOptions create,get');
  const aggregated = (
    await t.app.inject({
      method: 'GET',
      url: '/api',
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
    })
  ).json();
  const podsEntry = aggregated.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'pods');
  const exec = podsEntry.subresources.find((s: { subresource: string }) => s.subresource === 'exec');
  assert.deepEqual(exec, {
    subresource: 'exec',
    responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' },
    verbs: ['create', 'get'],
  });
});
