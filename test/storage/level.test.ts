import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { LevelBackend } from '../../src/storage/level.js';
import { runBackendConformance } from './conformance.js';

runBackendConformance('level', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kplane-level-'));
  const open = async (): Promise<LevelBackend> => {
    const backend = new LevelBackend({ path: join(dir, 'db') });
    await backend.start();
    return backend;
  };
  let current = await open();
  return {
    backend: current,
    reopen: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('level backend writes the documented key layout and compaction deletes log entries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kplane-level-layout-'));
  try {
    const backend = new LevelBackend({ path: dir, syncWrites: true });
    await backend.start();
    await backend.create('/registry/pods/ns/a', 'a1'); // 1
    await backend.update('/registry/pods/ns/a', 'a2', 1); // 2
    await backend.create('/registry/pods/ns/b', 'b1'); // 3
    await backend.delete('/registry/pods/ns/b'); // 4
    await backend.compact(2);
    await backend.close();

    const raw = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
    try {
      const entries = Object.fromEntries(await raw.iterator().all());
      assert.deepEqual(Object.keys(entries).sort(), [
        'cur//registry/pods/ns/a',
        'log/0000000000000003',
        'log/0000000000000004',
        'meta/compact',
        'meta/rev',
      ]);
      assert.equal(entries['meta/rev'], '4');
      assert.equal(entries['meta/compact'], '2');
      assert.deepEqual(JSON.parse(entries['cur//registry/pods/ns/a']), { value: 'a2', createRevision: 1, modRevision: 2 });
      assert.deepEqual(JSON.parse(entries['log/0000000000000004']), {
        type: 'delete',
        key: '/registry/pods/ns/b',
        value: null,
        createRevision: 3,
        prevModRevision: 3,
        prevValue: 'b1',
      });
    } finally {
      await raw.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
