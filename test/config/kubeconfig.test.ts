import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { ensurePki } from '../../src/auth/pki.js';
import { kubeconfigFor, writeKubeconfig } from '../../src/config/kubeconfig.js';

const run = promisify(execFile);

async function hasKubectl(): Promise<boolean> {
  try {
    await run('kubectl', ['version', '--client']);
    return true;
  } catch {
    return false;
  }
}

describe('kubeconfig', () => {
  let dir: string;
  let caCertPem: string;
  let pki: Awaited<ReturnType<typeof ensurePki>>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-kubeconfig-'));
    pki = await ensurePki(dir, { hosts: [] });
    caCertPem = pki.caCertPem;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('kubeconfigFor builds one cluster, user and current context', () => {
    assert.deepEqual(kubeconfigFor({ server: 'https://127.0.0.1:6443', caCertPem: 'PEM', token: 't0k', name: 'lab' }), {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'UEVN' } }],
      users: [{ name: 'lab-admin', user: { token: 't0k' } }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'lab-admin' } }],
      'current-context': 'lab',
      preferences: {},
    });
  });

  test('an http:// server skips TLS verification instead of carrying CA data', () => {
    const config = kubeconfigFor({ server: 'http://127.0.0.1:8080', caCertPem, token: 't' });
    assert.deepEqual(config.clusters[0].cluster, { server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true });
    assert.equal(config['current-context'], 'kplane');
  });

  test('an https:// server without a CA is refused', () => {
    assert.throws(() => kubeconfigFor({ server: 'https://127.0.0.1:6443', token: 't' }), /CA certificate/);
  });

  test('writeKubeconfig writes YAML with mode 0600, replacing an existing file', async () => {
    const path = join(dir, 'kubeconfig.yaml');
    await writeFile(path, 'old', { mode: 0o644 });
    const opts = { server: 'https://127.0.0.1:6443', caCertPem, token: 'secret' };
    await writeKubeconfig(path, opts);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(load(await readFile(path, 'utf8')), kubeconfigFor(opts));
  });

  test('@kubernetes/client-node reads it: server, CA and token', async () => {
    const path = join(dir, 'client-node.yaml');
    await writeKubeconfig(path, { server: 'https://127.0.0.1:7443', caCertPem, token: 'secret' });
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    assert.equal(kc.getCurrentContext(), 'kplane');
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:7443');
    assert.equal(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString(), caCertPem);
    assert.equal(kc.getCurrentUser()?.token, 'secret');
  });

  test('kubectl reads it', async (t) => {
    if (!(await hasKubectl())) {
      t.skip('kubectl not installed');
      return;
    }
    const path = join(dir, 'kubectl.yaml');
    await writeKubeconfig(path, { server: 'https://127.0.0.1:7443', caCertPem, token: 'secret' });
    const { stdout } = await run('kubectl', [
      'config',
      'view',
      '--raw',
      '--minify',
      '--kubeconfig',
      path,
      '-o',
      'jsonpath={.clusters[0].cluster.server} {.users[0].user.token} {.contexts[0].name}',
    ]);
    assert.equal(stdout, 'https://127.0.0.1:7443 secret kplane');
  });

  test('kubectl trusts the serving certificate and sends the token', async (t) => {
    if (!(await hasKubectl())) {
      t.skip('kubectl not installed');
      return;
    }
    const seen: (string | undefined)[] = [];
    const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
      seen.push(req.headers.authorization);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0-kplane', platform: 'linux/amd64' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const path = join(dir, 'live.yaml');
      const { port } = server.address() as AddressInfo;
      await writeKubeconfig(path, { server: `https://127.0.0.1:${port}`, caCertPem, token: 'secret' });
      const { stdout } = await run('kubectl', ['version', '-o', 'json', '--kubeconfig', path]);
      assert.equal(JSON.parse(stdout).serverVersion.gitVersion, 'v1.32.0-kplane');
      assert.ok(seen.length > 0 && seen.every((header) => header === 'Bearer secret'), JSON.stringify(seen));
    } finally {
      server.close();
    }
  });
});
