import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { podManifest, startTestApp, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { HttpWatch, openWsWatch } from '../helpers/watch-client.js';

let t: TestApp;
let base: string;
before(async () => {
  t = await startTestApp({
    history: { minEvents: 5, maxEvents: 10, minAgeMs: 0 },
    watchTiming: { minServerTimeoutMs: 60_000, bookmarkIntervalMs: 200, heartbeatMs: 300 },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  for (const ns of ['w1', 'w2', 'w3', 'w4', 'w5'])
    await inject('POST', '/api/v1/namespaces', { metadata: { name: ns } });
});
after(async () => t.close());

async function inject(method: string, url: string, body?: unknown, contentType = 'application/json') {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    payload: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': contentType },
  });
  return res.json();
}

const podsIn = (ns: string) => `/api/v1/namespaces/${ns}/pods`;

describe('watch over chunked HTTP', () => {
  test('headers are flushed before any event', async () => {
    const w = new HttpWatch(`${base}${podsIn('w1')}?watch=true`);
    const res = await w.headers;
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(w.events.length, 0);
    w.close();
  });

  test('no resourceVersion: synthetic ADDED for current objects, then live events', async () => {
    await inject('POST', podsIn('w1'), podManifest('a'));
    const w = new HttpWatch(`${base}${podsIn('w1')}?watch=1`);
    await w.waitFor(1);
    await inject('PATCH', `${podsIn('w1')}/a`, { metadata: { labels: { x: '1' } } }, 'application/merge-patch+json');
    await inject('DELETE', `${podsIn('w1')}/a`);
    const events = await w.waitFor(3);
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    for (const e of events) {
      assert.equal(e.object.kind, 'Pod');
      assert.equal(e.object.apiVersion, 'v1');
    }
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], `rising resourceVersions ${rvs}`);
    w.close();
  });

  test('a resourceVersion resumes after it', async () => {
    const created = await inject('POST', podsIn('w2'), podManifest('r'));
    await inject('PATCH', `${podsIn('w2')}/r`, { metadata: { labels: { v: '2' } } }, 'application/merge-patch+json');
    const w = new HttpWatch(`${base}${podsIn('w2')}?watch=true&resourceVersion=${created.metadata.resourceVersion}`);
    const events = await w.waitFor(1);
    assert.equal(events[0].type, 'MODIFIED');
    assert.equal(events[0].object.metadata.labels.v, '2');
    w.close();
  });

  test('a resourceVersion older than the history: one 410 ERROR event, then the stream ends', async () => {
    const first = await inject('POST', podsIn('w3'), podManifest('old'));
    for (let i = 0; i < 15; i++)
      await inject(
        'PATCH',
        `${podsIn('w3')}/old`,
        { metadata: { labels: { i: String(i) } } },
        'application/merge-patch+json',
      );
    const w = new HttpWatch(`${base}${podsIn('w3')}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    await w.ended;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
    assert.match(w.events[0].object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  test('allowWatchBookmarks sends BOOKMARKs with the resourceVersion only; timeoutSeconds ends the stream', async () => {
    const w = new HttpWatch(`${base}${podsIn('w4')}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1`);
    await w.ended;
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    assert.ok(bookmarks.length >= 2, `got ${bookmarks.length} bookmarks`);
    assert.deepEqual(Object.keys(bookmarks[0].object.metadata), ['resourceVersion']);
    assert.equal(bookmarks[0].object.kind, 'Pod');
  });

  test('idle streams get blank-line heartbeats, and no unrequested bookmarks', async () => {
    const w = new HttpWatch(`${base}${podsIn('w4')}?watch=true&timeoutSeconds=1`);
    await w.ended;
    assert.ok(w.blankLines.length >= 1);
    assert.equal(w.events.length, 0);
  });

  test('selector flips become ADDED / DELETED', async () => {
    await inject('POST', podsIn('w5'), podManifest('s', { app: 'db' }));
    const w = new HttpWatch(`${base}${podsIn('w5')}?watch=true&labelSelector=app%3Dweb`);
    await w.headers;
    await inject(
      'PATCH',
      `${podsIn('w5')}/s`,
      { metadata: { labels: { app: 'web' } } },
      'application/merge-patch+json',
    );
    await inject('PATCH', `${podsIn('w5')}/s`, { metadata: { labels: { app: 'db' } } }, 'application/merge-patch+json');
    const events = await w.waitFor(2);
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'DELETED'],
    );
    w.close();
  });

  test('sendInitialEvents: ADDED events then the initial-events-end BOOKMARK', async () => {
    const w = new HttpWatch(
      `${base}${podsIn('w5')}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    const events = await w.waitFor(2);
    assert.equal(events[0].type, 'ADDED');
    assert.equal(events[1].type, 'BOOKMARK');
    assert.equal(events[1].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    w.close();
  });

  test('sendInitialEvents without resourceVersionMatch=NotOlderThan is a 422', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${podsIn('w5')}?watch=true&sendInitialEvents=true` });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().reason, 'Invalid');
  });
});

describe('watch over WebSocket', () => {
  test('the same URL upgraded carries one event per message', async () => {
    await inject('POST', '/api/v1/namespaces', { metadata: { name: 'ws' } });
    await inject('POST', podsIn('ws'), podManifest('one'));
    const { ws, events } = await openWsWatch(`${base.replace('http', 'ws')}${podsIn('ws')}?watch=true`);
    await inject('POST', podsIn('ws'), podManifest('two'));
    await eventually(
      async () =>
        assert.deepEqual(
          events.map((e) => `${e.type} ${e.object.metadata.name}`),
          ['ADDED one', 'ADDED two'],
        ),
      3000,
      20,
    );
    ws.close();
  });
});
