import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { ensurePki, type Pki } from '../../src/auth/pki.js';

describe('ensurePki', () => {
  let dataDir: string;
  let pki: Pki;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kplane-pki-'));
    pki = await ensurePki(dataDir, { hosts: ['10.1.2.3', 'kplane.example.com'] });
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the CA is a self-signed 10-year CA named kplane-ca', () => {
    const ca = new X509Certificate(pki.caCertPem);
    assert.equal(ca.subject, 'CN=kplane-ca');
    assert.equal(ca.issuer, 'CN=kplane-ca');
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey));
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365.25 * 24 * 3600 * 1000);
    assert.ok(years > 9.9 && years < 10.1, `${years} years`);
  });

  test('the serving certificate chains to the CA and matches its key', () => {
    const ca = new X509Certificate(pki.caCertPem);
    const cert = new X509Certificate(pki.certPem);
    assert.equal(cert.subject, 'CN=kplane-apiserver');
    assert.equal(cert.issuer, 'CN=kplane-ca');
    assert.equal(cert.ca, false);
    assert.ok(cert.verify(ca.publicKey));
    assert.ok(cert.checkIssued(ca));
    assert.ok(cert.checkPrivateKey(createPrivateKey(pki.keyPem)));
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']); // serverAuth
  });

  const names: { host: string; covered: boolean }[] = [
    { host: 'localhost', covered: true },
    { host: 'kubernetes', covered: true },
    { host: 'kubernetes.default', covered: true },
    { host: 'kubernetes.default.svc', covered: true },
    { host: 'kubernetes.default.svc.cluster.local', covered: true },
    { host: 'kplane.example.com', covered: true },
    { host: '127.0.0.1', covered: true },
    { host: '::1', covered: true },
    { host: '10.1.2.3', covered: true },
    { host: 'example.com', covered: false },
    { host: '10.1.2.4', covered: false },
  ];
  for (const { host, covered } of names) {
    test(`serving certificate ${covered ? 'covers' : 'does not cover'} ${host}`, () => {
      const cert = new X509Certificate(pki.certPem);
      const match = host.includes(':') || /^\d/.test(host) ? cert.checkIP(host) : cert.checkHost(host);
      assert.equal(match !== undefined, covered);
    });
  }

  test('keys are private (0600), certificates readable', async () => {
    const mode = async (file: string) => (await stat(join(dataDir, 'pki', file))).mode & 0o777;
    assert.equal(await mode('ca.key'), 0o600);
    assert.equal(await mode('server.key'), 0o600);
    assert.equal(await mode('ca.crt'), 0o644);
    assert.equal(await mode('server.crt'), 0o644);
    assert.equal(await readFile(join(dataDir, 'pki', 'server.crt'), 'utf8'), pki.certPem);
  });

  test('a later start reuses the files', async () => {
    const again = await ensurePki(dataDir, { hosts: ['10.1.2.3'] });
    assert.deepEqual(again, pki);
  });

  test('a TLS client trusting the CA completes a handshake with 127.0.0.1', async () => {
    const server = tls.createServer({ cert: pki.certPem, key: pki.keyPem }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const received = await new Promise<{ authorized: boolean; data: string }>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.caCertPem });
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('end', () => resolve({ authorized: socket.authorized, data }));
        socket.on('error', reject);
      });
      assert.deepEqual(received, { authorized: true, data: 'hello' });
    } finally {
      server.close();
    }
  });

  test('a client that does not trust the CA is refused', async () => {
    const server = tls.createServer({ cert: pki.certPem, key: pki.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await new Promise<Error>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port });
        socket.on('error', resolve);
      });
      assert.match(error.message, /self[- ]signed|unable to verify|local issuer/i);
    } finally {
      server.close();
    }
  });
});

describe('ensurePki re-issuing', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kplane-pki-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a new host re-issues only the serving certificate, with the same CA and key', async () => {
    const first = await ensurePki(dataDir, { hosts: [] });
    const second = await ensurePki(dataDir, { hosts: ['192.0.2.7', 'api.test'] });
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.keyPem, first.keyPem);
    assert.notEqual(second.certPem, first.certPem);
    const cert = new X509Certificate(second.certPem);
    assert.equal(cert.checkIP('192.0.2.7'), '192.0.2.7');
    assert.equal(cert.checkHost('api.test'), 'api.test');
    assert.ok(cert.verify(new X509Certificate(first.caCertPem).publicKey));
    assert.equal(await readFile(join(dataDir, 'pki', 'server.crt'), 'utf8'), second.certPem);
  });

  test('a serving certificate from another CA is replaced', async () => {
    const current = await ensurePki(dataDir, { hosts: [] });
    const otherDir = await mkdtemp(join(tmpdir(), 'kplane-pki-other-'));
    try {
      const other = await ensurePki(otherDir, { hosts: [] });
      await writeFile(join(dataDir, 'pki', 'server.crt'), other.certPem);
      await writeFile(join(dataDir, 'pki', 'server.key'), other.keyPem);
      const repaired = await ensurePki(dataDir, { hosts: [] });
      assert.equal(repaired.caCertPem, current.caCertPem);
      assert.ok(new X509Certificate(repaired.certPem).verify(new X509Certificate(current.caCertPem).publicKey));
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  test('a corrupt serving certificate is re-issued', async () => {
    const current = await ensurePki(dataDir, { hosts: [] });
    await writeFile(join(dataDir, 'pki', 'server.crt'), 'garbage');
    const repaired = await ensurePki(dataDir, { hosts: [] });
    assert.equal(repaired.caCertPem, current.caCertPem);
    assert.ok(new X509Certificate(repaired.certPem).verify(new X509Certificate(current.caCertPem).publicKey));
  });

  test('a lost CA key regenerates the whole PKI', async () => {
    const current = await ensurePki(dataDir, { hosts: [] });
    await rm(join(dataDir, 'pki', 'ca.key'));
    const regenerated = await ensurePki(dataDir, { hosts: [] });
    assert.notEqual(regenerated.caCertPem, current.caCertPem);
    assert.ok(new X509Certificate(regenerated.certPem).verify(new X509Certificate(regenerated.caCertPem).publicKey));
  });
});
