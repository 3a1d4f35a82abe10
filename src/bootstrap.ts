import { StatusError } from './apimachinery/errors.js';
import { namespaces } from './registry/kinds/namespace/index.js';
import type { Registry } from './registry/store.js';

/** The namespaces every Kubernetes cluster starts with. */
const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Creates the system namespaces that do not exist yet (idempotent across restarts). */
export async function bootstrapNamespaces(registry: Registry): Promise<void> {
  for (const name of systemNamespaces) {
    try {
      await registry.create(namespaces, undefined, { metadata: { name } });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }
}
