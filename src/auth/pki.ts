import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { writeFileAtomic } from '../config/atomic-file.js';

/** PEM material the API server needs: the CA clients trust, and the serving certificate with its key. */
export interface Pki {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

interface KeyPair {
  certPem: string;
  keyPem: string;
}

/** Names every serving certificate carries, so in-cluster and loopback clients can verify it (kube-apiserver's set). */
const DEFAULT_HOSTS = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
  '127.0.0.1',
  '::1',
];

const CA_YEARS = 10;
const SERVING_YEARS = 1;
/** A serving certificate this close to expiry is re-issued at start rather than reused. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** Backdating tolerates small clock skew between the server and its clients. */
const BACKDATE_MS = 3600 * 1000;

const generateRsa = promisify(generateKeyPair);

/**
 * Returns the CA and serving certificate kept in `<dataDir>/pki/`, creating them at first start. The serving
 * certificate is re-issued with the same CA when it does not cover every default name and `opts.hosts` entry (each
 * an IP address or DNS name), does not chain to the CA, or is about to expire. Keys are written with mode 0600.
 */
export async function ensurePki(dataDir: string, opts: { hosts: string[] }): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  const hosts = [...new Set([...DEFAULT_HOSTS, ...opts.hosts])];
  const existingCa = await readPair(join(dir, 'ca.crt'), join(dir, 'ca.key'));
  const existingServing = await readPair(join(dir, 'server.crt'), join(dir, 'server.key'));
  // Both keys are generated in parallel on the thread pool; a re-issued serving certificate keeps its key.
  const [caKey, servingKey] = await Promise.all([
    existingCa?.keyPem ?? newRsaKey(),
    existingServing?.keyPem ?? newRsaKey(),
  ]);
  const ca = existingCa ?? (await writePair(dir, 'ca', issueCa(caKey)));
  if (existingServing && servingCertFits(existingServing.certPem, ca.certPem, hosts)) {
    return { caCertPem: ca.certPem, ...existingServing };
  }
  const serving = issueServing(servingKey, ca, hosts);
  await writePair(dir, 'server', serving);
  return { caCertPem: ca.certPem, ...serving };
}

/**
 * Reads a certificate and its key; undefined when either is missing, unparsable or they do not belong together, so
 * that the caller issues a fresh pair. Other read errors (e.g. permissions) are thrown.
 */
async function readPair(certPath: string, keyPath: string): Promise<KeyPair | undefined> {
  let pair: KeyPair;
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    pair = { certPem, keyPem };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return new X509Certificate(pair.certPem).checkPrivateKey(createPrivateKey(pair.keyPem)) ? pair : undefined;
  } catch {
    return undefined;
  }
}

async function writePair(dir: string, name: string, pair: KeyPair): Promise<KeyPair> {
  // Key first: a crash in between leaves a mismatched pair, which readPair rejects and the next start re-issues.
  await writeFileAtomic(join(dir, `${name}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, `${name}.crt`), pair.certPem, 0o644);
  return pair;
}

function servingCertFits(certPem: string, caCertPem: string, hosts: string[]): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caCertPem);
  if (!cert.verify(ca.publicKey)) return false;
  if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
  return hosts.every((host) => (isIP(host) ? cert.checkIP(host) : cert.checkHost(host, { wildcards: false })));
}

/** Node generates RSA keys natively (milliseconds); forge's pure-JS generation would take seconds. */
async function newRsaKey(): Promise<string> {
  const { privateKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return privateKey;
}

function issueCa(keyPem: string): KeyPair {
  const cert = newCertificate(keyPem, 'kplane-ca', CA_YEARS);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signNatively(cert, keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function issueServing(keyPem: string, ca: KeyPair, hosts: string[]): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = newCertificate(keyPem, 'kplane-apiserver', SERVING_YEARS);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    { name: 'subjectAltName', altNames: hosts.map(altName) },
  ]);
  signNatively(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function newCertificate(keyPem: string, commonName: string, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
  cert.publicKey = forge.pki.publicKeyFromPem(spki);
  cert.serialNumber = serialNumber();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now);
  cert.validity.notAfter.setUTCFullYear(cert.validity.notAfter.getUTCFullYear() + years);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** forge exports this function, but @types/node-forge does not declare it. */
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/**
 * Does what forge's `cert.sign(key, sha256)` does, but with Node's native RSA: forge's JavaScript signing costs
 * 50-100 ms per certificate.
 */
function signNatively(cert: forge.pki.Certificate, signerKeyPem: string): void {
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = (forge.pki as unknown as ForgeTbs).getTBSCertificate(cert);
  cert.tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, signerKeyPem).toString('binary');
}

/** A random positive 128-bit serial (the top bit cleared so DER does not read it as negative). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function altName(host: string): { type: number; ip?: string; value?: string } {
  // GeneralName tags from RFC 5280: 2 = dNSName, 7 = iPAddress.
  return isIP(host) ? { type: 7, ip: host } : { type: 2, value: host };
}
