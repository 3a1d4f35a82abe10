import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
let t: TestApp;

before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

for (const url of ['/api', '/apis']) {
  test(`aggregated ${url} carries an ETag and a matching If-None-Match gets a 304 without a body`, async () => {
    const first = await get(url, { accept: aggregated });
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().kind, 'APIGroupDiscoveryList');
    assert.equal(first.headers.vary, 'Accept');
    const { etag } = first.headers;
    assert.match(etag as string, /^"[0-9A-F]{128}"$/);
    for (const ifNoneMatch of [etag as string, `W/${etag}`, '*']) {
      const again = await get(url, { accept: aggregated, 'if-none-match': ifNoneMatch });
      assert.equal(again.statusCode, 304, ifNoneMatch);
      assert.equal(again.payload, '');
    }
    assert.equal((await get(url, { accept: aggregated, 'if-none-match': '"0123"' })).statusCode, 200);
  });

  test(`legacy ${url} is never answered 304 (a cached aggregated ETag must not stand for it)`, async () => {
    const { etag } = (await get(url, { accept: aggregated })).headers;
    const legacy = await get(url, { accept: 'application/json', 'if-none-match': etag as string });
    assert.equal(legacy.statusCode, 200);
    assert.match(legacy.json().kind, /^(APIVersions|APIGroupList)$/);
  });
}
