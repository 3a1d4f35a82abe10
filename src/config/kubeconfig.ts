import { dump } from 'js-yaml';
import { writeFileAtomic } from './atomic-file.js';

/** What a kubeconfig for the admin user needs. */
export interface KubeconfigOptions {
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** CA that signed the serving certificate; required for `https://`, ignored for `http://`. */
  caCertPem?: string;
  /** Bearer token of the user. */
  token: string;
  /** Cluster and context name (default `kplane`); the user is `<name>-admin`. */
  name?: string;
}

/** The subset of the kubeconfig (`clientcmd/api/v1`) format that kplane writes. */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: Record<string, string | boolean> }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
  preferences: Record<string, never>;
}

/**
 * Builds a kubeconfig with one cluster, user and context, the context current. An `http://` server gets
 * `insecure-skip-tls-verify: true` instead of CA data, because @kubernetes/client-node refuses plain HTTP otherwise and
 * kubectl rejects CA data combined with that flag. Throws when an `https://` server comes without `caCertPem`.
 */
export function kubeconfigFor(opts: KubeconfigOptions): Kubeconfig {
  const name = opts.name ?? 'kplane';
  const user = `${name}-admin`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, ...trustSettings(opts) } }],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
    preferences: {},
  };
}

function trustSettings(opts: KubeconfigOptions): Record<string, string | boolean> {
  if (opts.server.startsWith('http://')) return { 'insecure-skip-tls-verify': true };
  if (!opts.caCertPem) throw new Error(`kubeconfig for ${opts.server} needs the CA certificate`);
  return { 'certificate-authority-data': Buffer.from(opts.caCertPem).toString('base64') };
}

/** Writes {@link kubeconfigFor}'s result as YAML to `path`, atomically and with mode 0600 (it holds a token). */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, dump(kubeconfigFor(opts)), 0o600);
}
