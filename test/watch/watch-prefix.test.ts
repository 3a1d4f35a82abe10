import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { podManifest, startTestApp, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { HttpWatch, openWsWatch, type WatchEvent } from '../helpers/watch-client.js';

let t: TestApp;
let base: string;
before(async () => {
  t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  await post('/api/v1/namespaces', { metadata: { name: 'legacy' } });
  for (const name of ['a', 'b']) await post('/api/v1/namespaces/legacy/pods', podManifest(name));
});
after(async () => t.close());

async function post(url: string, body: unknown): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url, payload: body as object });
  assert.equal(res.statusCode, 201, res.body);
}

const names = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object.metadata.name}`).sort();

test('the watch/ prefix watches a collection over chunked HTTP, like ?watch=true', async () => {
  for (const path of ['/api/v1/watch/namespaces/legacy/pods', '/api/v1/watch/pods?labelSelector=']) {
    const w = new HttpWatch(`${base}${path}`);
    await eventually(async () => assert.deepEqual(names(w.events), ['ADDED a', 'ADDED b']), 3000, 10);
    w.close();
  }
});

test('a named watch/ path watches that object only, over chunked HTTP and WebSocket', async () => {
  const w = new HttpWatch(`${base}/api/v1/watch/namespaces/legacy/pods/a`);
  const { ws, events } = await openWsWatch(`${base.replace('http', 'ws')}/api/v1/watch/namespaces/legacy/pods/a`);
  await post('/api/v1/namespaces/legacy/pods', podManifest('c'));
  await t.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/legacy/pods/a' });
  for (const seen of [w.events, events])
    await eventually(async () => assert.deepEqual(names(seen), ['ADDED a', 'DELETED a']), 3000, 10);
  w.close();
  ws.close();
});

test('the watch/ prefix: other methods are 405, a subresource 404, a conflicting fieldSelector 400', async () => {
  const post = await t.app.inject({ method: 'POST', url: '/api/v1/watch/namespaces/legacy/pods', payload: {} });
  assert.equal(post.statusCode, 405);
  const status = await t.app.inject({ method: 'GET', url: '/api/v1/watch/namespaces/legacy/pods/b/status' });
  assert.equal(status.statusCode, 404);
  const conflict = await t.app.inject({
    method: 'GET',
    url: '/api/v1/watch/namespaces/legacy/pods/b?fieldSelector=metadata.name%3Dc',
  });
  assert.equal(conflict.statusCode, 400);
  assert.equal(conflict.json().message, "fieldSelector metadata.name doesn't match requested name");
});
