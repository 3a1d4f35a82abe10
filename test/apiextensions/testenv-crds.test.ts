import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startTestEnv } from '../../src/index.js';
import { scratchDir } from '../helpers/process.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

test('startTestEnv({ crdPaths }) installs the CRDs of files and directories, served when it returns', async () => {
  const env = await startTestEnv({ crdPaths: [join(examples, 'widgets.yaml')], listen: true });
  try {
    const widgets = `${env.url}/apis/example.kplane.io/v1/namespaces/default/widgets`;
    const created = await fetch(widgets, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'w' }, spec: { color: 'red' } }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    assert.equal(((await created.json()) as { spec: { replicas: number } }).spec.replicas, 1);
    // The objects in the file are not installed: envtest installs CRDs only.
    const list = (await (await fetch(widgets)).json()) as { items: { metadata: { name: string } }[] };
    assert.deepEqual(
      list.items.map((w) => w.metadata.name),
      ['w'],
    );
  } finally {
    await env.close();
  }
});

test('a crdPaths entry that is missing or holds an invalid CRD fails the start', async () => {
  const dir = await scratchDir();
  try {
    await assert.rejects(startTestEnv({ crdPaths: [join(dir.path, 'absent')] }), /ENOENT/);
    await writeFile(
      join(dir.path, 'bad.yaml'),
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: bad\n',
    );
    await writeFile(join(dir.path, 'notes.txt'), 'not a manifest');
    await assert.rejects(
      startTestEnv({ crdPaths: [dir.path] }),
      /CustomResourceDefinition.apiextensions.k8s.io "bad" is invalid/,
    );
  } finally {
    await dir.remove();
  }
});
