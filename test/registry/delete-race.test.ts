import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../src/registry/store.js';
import type { Backend } from '../../src/storage/interface.js';
import { startTestApp } from '../helpers/app.js';

/** A backend whose first update loses its compare-and-swap: another writer changes the object just before it. */
function losingFirstUpdate(backend: Backend): Backend {
  let raced = false;
  return new Proxy(backend, {
    get(target, prop, receiver) {
      if (prop !== 'update') return Reflect.get(target, prop, receiver);
      return async (key: string, value: string, rev: number) => {
        if (!raced) {
          raced = true;
          const { kv } = await target.get(key);
          const other = JSON.parse(kv!.value);
          other.metadata.labels = { ...other.metadata.labels, writer: 'other' };
          await target.update(key, JSON.stringify(other), kv!.modRevision);
        }
        return target.update(key, value, rev);
      };
    },
  });
}

test('delete of an object held by a finalizer starts over when a concurrent write wins the race', async () => {
  const { core, close } = await startTestApp();
  try {
    const pods = core.kinds.byType('v1', 'Pod')!;
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    };
    await core.registry.create(pods, 'default', body, {});
    const racing = new Registry(losingFirstUpdate(core.backend), core.hub);
    const deleted = await racing.delete(pods, 'default', 'held');
    assert.equal(deleted.finished, false);
    assert.ok(deleted.object.metadata.deletionTimestamp);
    assert.equal(deleted.object.metadata.labels?.writer, 'other', 'the retry started from the other writer’s version');
  } finally {
    await close();
  }
});
