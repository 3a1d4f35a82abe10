import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { podManifest, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
  await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods', payload: podManifest('slash') });
});
after(async () => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url });

test('discovery, version and resource paths answer with a trailing slash as without (the Python client sends it)', async () => {
  const paths = [
    '/version',
    '/api',
    '/apis',
    '/api/v1',
    '/apis/networking.k8s.io',
    '/apis/networking.k8s.io/v1',
    '/api/v1/namespaces/default/pods',
    '/api/v1/namespaces/default/pods/slash',
    '/healthz',
  ];
  for (const path of paths) {
    const [plain, slashed] = await Promise.all([get(path), get(`${path}/`)]);
    assert.equal(plain.statusCode, 200, path);
    assert.equal(slashed.statusCode, 200, `${path}/: ${slashed.body}`);
    const stable = (body: string) => body.replace(/"resourceVersion":"\d+"/g, '');
    assert.equal(stable(slashed.body), stable(plain.body), path);
  }
});
