import { dump } from 'js-yaml';
import type { FastifyInstance } from 'fastify';
import { kubeconfigFor } from '../config/kubeconfig.js';
import { installCrds } from '../apiextensions/install.js';
import { buildApp } from '../http/app.js';
import type { AdmissionHook } from '../registry/admission.js';
import type { Registry } from '../registry/store.js';
import { startCore, type Core } from '../server.js';
import type { Client, Clock, Reconciler } from './api.js';
import { kindLookup, LocalClient, localSource } from './local.js';
import { Manager, silentLogger } from './manager.js';
import type { Logger } from './api.js';

export interface TestEnvOptions {
  /** Controllers to run (none by default: a bare API server, like envtest). */
  controllers?: readonly Reconciler[];
  /** Extra admission hooks (the ClusterIP/NodePort allocators are always installed by the core). */
  admission?: readonly AdmissionHook[];
  /**
   * CustomResourceDefinition manifests to install before the controllers start (envtest's
   * `CRDDirectoryPaths`): files, or directories of `.yaml`/`.yml`/`.json` files. Their kinds are
   * served over HTTP; the SDK's typed client and informers know only the built-in kinds.
   */
  crdPaths?: readonly string[];
  /** Also serve HTTP on a free loopback port and hand back a kubeconfig for it (default false: no sockets). */
  listen?: boolean;
  clock?: Clock;
  log?: Logger;
}

/** A running in-process control plane for a controller's own tests. */
export interface TestEnv {
  /** Writes through the registry: validated, defaulted, optimistic concurrency, as over HTTP. */
  client: Client;
  registry: Registry;
  manager: Manager;
  /** With `listen`: the server URL and a kubeconfig (YAML text) for any Kubernetes client. */
  url?: string;
  kubeconfig?: string;
  /** Resolves once every controller's queue is idle. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * envtest's job without its binaries: memory storage, chosen controllers, optionally a free port;
 * starts in milliseconds, and several can run side by side in one process.
 */
export async function startTestEnv(opts: TestEnvOptions = {}): Promise<TestEnv> {
  const core: Core = await startCore({ storage: 'memory', dataDir: '', syncWrites: false });
  core.registry.addAdmission(...(opts.admission ?? []));
  try {
    await installCrds(core.registry, opts.crdPaths ?? []);
  } catch (err) {
    core.endWatches();
    await core.close();
    throw err;
  }
  const lookup = kindLookup(core.kinds.all());
  const client = new LocalClient(core.registry, lookup);
  const manager = new Manager({
    controllers: opts.controllers ?? [],
    source: (kind) => localSource(core.registry, lookup(kind)),
    client,
    clock: opts.clock,
    log: opts.log ?? silentLogger,
  });
  await manager.start();
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  let kubeconfig: string | undefined;
  if (opts.listen) {
    app = await buildApp({ registry: core.registry, kinds: core.kinds, isReady: () => true });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    kubeconfig = dump(kubeconfigFor({ server: url, token: 'test-env' }));
  }
  return {
    client,
    registry: core.registry,
    manager,
    url,
    kubeconfig,
    settle: () => manager.settle(),
    async close() {
      await manager.stop();
      core.endWatches();
      await app?.close();
      await core.close();
    },
  };
}
