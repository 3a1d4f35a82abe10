import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogController, type FastifyInstance } from 'fastify';
import { ensurePki } from './auth/pki.js';
import { ensureAdminToken, parseTokenAuthFile, TokenAuthenticator } from './auth/tokens.js';
import { CrdRegistrar } from './apiextensions/registrar.js';
import { bootstrapNamespaces } from './bootstrap.js';
import type { AdmissionHook } from './registry/admission.js';
import { ConfigError, defaultConfig, type ServerConfig } from './config/config.js';
import { selectedControllers } from '../controllers/index.js';
import { KindRegistry } from './registry/kind-registry.js';
import { serviceAdmission } from './registry/kinds/service/admission.js';
import { hostname } from 'node:os';
import { writeKubeconfig } from './config/kubeconfig.js';
import { startDataplane, type Dataplane } from './dataplane/dataplane.js';
import { buildApp } from './http/app.js';
import { registryRoot, resourcePrefix } from './registry/keys.js';
import { builtinKinds } from './registry/kinds/index.js';
import { isStored, type ResourceType } from './registry/resource.js';
import { Registry } from './registry/store.js';
import type { Backend } from './storage/interface.js';
import { openBackend } from './storage/open.js';
import type { HistoryLimits } from './watch/history.js';
import { CacheHub } from './watch/hub.js';
import { kindLookup, LocalClient, localSource } from './runtime/local.js';
import { Manager } from './runtime/manager.js';
import { pinoLogger } from './runtime/log.js';
import { PodLogStore, type PodLogWriter } from './podlogs/store.js';
import { podLogHandlers } from './podlogs/handler.js';
import { startDnsServer, type RunningDnsServer } from './dns/server.js';
import type { LiveZone } from './dns/live-zone.js';

/** Per-request log lines would dominate the cost of a request; errors are still logged. */
const quietRequests = new LogController({ disableRequestLogging: true });

/** A running kplane: its addresses, its parts for in-process use, and how to stop it. */
export interface RunningServer {
  /** `https://host:port` of the authenticated API. */
  url: string;
  port: number;
  /** `http://127.0.0.1:port` when `insecurePort` is set. */
  insecureUrl?: string;
  kubeconfigPath: string;
  adminToken: string;
  caCertPem: string;
  registry: Registry;
  /** The served kinds (see {@link Core.registerKind}). */
  kinds: KindRegistry;
  manager: Manager;
  /** The simulated dataplane (kube-proxy rules, tracer state) the network.kplane.io API answers from. */
  dataplane: Dataplane;
  /** The cluster DNS port (UDP and TCP on `host`), unless `dnsPort` is -1. */
  dnsPort?: number;
  close(): Promise<void>;
}

/** The control plane's core without any listener: storage, watch cache, registry and served kinds. */
export interface Core {
  backend: Backend;
  hub: CacheHub;
  registry: Registry;
  /** The served kinds: the built-in ones, and those registered while serving. */
  kinds: KindRegistry;
  /**
   * Serves a kind from now on: its watch cache is loaded first, so routes, discovery and OpenAPI
   * list it only once it can be read and watched. Throws when its URL or type is taken.
   */
  registerKind(rt: ResourceType): Promise<void>;
  /** Stops serving a kind: its URLs answer 404 and its watchers are closed; its objects stay in storage. */
  unregisterKind(rt: ResourceType): void;
  /** Ends every watch (before the listeners close, so open streams do not hold them up). */
  endWatches(): void;
  /** Ends the watches if still open, and closes storage. */
  close(): Promise<void>;
}

export interface CoreOptions
  extends
    Pick<ServerConfig, 'storage' | 'dataDir' | 'syncWrites'>,
    Partial<Pick<ServerConfig, 'etcdEndpoints' | 'serviceCIDR' | 'nodePortRange'>> {
  /** Watch history bounds (tests shrink them to provoke 410s). */
  history?: Partial<HistoryLimits>;
}

/** Opens storage, loads the watch cache, bootstraps the namespaces and serves the CustomResourceDefinitions' kinds. */
export async function startCore(config: CoreOptions): Promise<Core> {
  if (config.storage === 'etcd' && !config.etcdEndpoints?.length)
    throw new ConfigError('--etcd-endpoints is required with --storage etcd');
  const backend = openBackend(config.storage, {
    dataDir: config.dataDir,
    syncWrites: config.syncWrites,
    etcdEndpoints: config.etcdEndpoints,
  });
  await backend.start();
  const kinds = new KindRegistry(builtinKinds);
  const hub = new CacheHub(backend, {
    root: registryRoot,
    resourcePrefixes: kinds
      .all()
      .filter(isStored)
      .map((rt) => resourcePrefix(rt)),
    history: config.history,
  });
  await hub.start();
  const defaults = defaultConfig();
  const ranges = {
    serviceCIDR: config.serviceCIDR ?? defaults.serviceCIDR,
    nodePortRange: config.nodePortRange ?? defaults.nodePortRange,
  };
  const registry = new Registry(backend, hub, { admission: serviceAdmission(ranges, backend) });
  await bootstrapNamespaces(registry);
  let watching = true;
  const endWatches = () => {
    if (watching) hub.stop();
    watching = false;
  };
  const core: Core = {
    backend,
    hub,
    registry,
    kinds,
    async registerKind(rt) {
      if (kinds.byResource(rt.group, rt.version, rt.plural)) throw new Error(`${rt.plural} is already served`);
      if (isStored(rt)) await hub.addResource(resourcePrefix(rt));
      kinds.add(rt);
    },
    unregisterKind(rt) {
      if (kinds.remove(rt) && isStored(rt)) hub.removeResource(resourcePrefix(rt));
    },
    endWatches,
    async close() {
      endWatches();
      await backend.close();
    },
  };
  // Stored CRDs' kinds are served before the core is: a restarted server answers for them at once.
  const crds = new CrdRegistrar(registry, core);
  registry.addAdmission(crds.admission as AdmissionHook);
  await crds.start();
  return core;
}

/**
 * Starts kplane as `kplane serve` does: core, PKI and admin token (generated at first start and
 * kept in the data dir), the HTTPS API with bearer-token auth, the optional plain-HTTP loopback
 * port, and `<dataDir>/kubeconfig.yaml` pointing at the port actually bound.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const core = await startCore(config);
  let ready = false;
  const apps: FastifyInstance[] = [];
  const podLogs = new PodLogStore();
  const manager = startControllers(config, core, podLogs);
  const log = pinoLogger(config.logLevel);
  const dataplane = startDataplane(manager, core.registry, config, {
    onError: (err) => log.error('cluster DNS records error', { err: String(err) }),
  });
  let dns: RunningDnsServer | undefined;
  try {
    const pki = await ensurePki(config.dataDir, { hosts: [config.host] });
    const adminToken = await ensureAdminToken(config.dataDir);
    const fileUsers = config.tokenAuthFile ? parseTokenAuthFile(await readFile(config.tokenAuthFile, 'utf8')) : [];
    const auth = new TokenAuthenticator(adminToken, fileUsers);
    const logger = { level: config.logLevel };
    const common = {
      registry: core.registry,
      kinds: core.kinds,
      dataplane: dataplane.api,
      connect: podLogHandlers(podLogs),
      isReady: () => ready && manager.hasSynced(),
    };
    const secure = await buildApp({
      ...common,
      auth,
      server: { logger, logController: quietRequests, https: { key: pki.keyPem, cert: pki.certPem } },
    });
    apps.push(secure);
    await secure.listen({ host: config.host, port: config.port });
    const port = boundPort(secure);
    const url = `https://${urlHost(config.host)}:${port}`;
    let insecureUrl: string | undefined;
    if (config.insecurePort !== undefined) {
      const insecure = await buildApp({ ...common, server: { logger, logController: quietRequests } });
      apps.push(insecure);
      await insecure.listen({ host: '127.0.0.1', port: config.insecurePort });
      insecureUrl = `http://127.0.0.1:${boundPort(insecure)}`;
    }
    await manager.start();
    if (config.dnsPort !== -1) dns = await startClusterDns(config, dataplane.zone);
    const kubeconfigPath = join(config.dataDir, 'kubeconfig.yaml');
    await writeKubeconfig(kubeconfigPath, { server: url, caCertPem: pki.caCertPem, token: adminToken });
    ready = true;
    secure.log.info(
      { url, insecureUrl, kubeconfig: kubeconfigPath, storage: config.storage, dnsPort: dns?.port },
      'kplane is serving',
    );
    return {
      url,
      port,
      insecureUrl,
      kubeconfigPath,
      adminToken,
      caCertPem: pki.caCertPem,
      registry: core.registry,
      kinds: core.kinds,
      manager,
      dataplane,
      dnsPort: dns?.port,
      async close() {
        ready = false;
        await dns?.close();
        await manager.stop();
        dataplane.close();
        core.endWatches();
        await Promise.all(apps.map((a) => a.close()));
        await core.close();
      },
    };
  } catch (err) {
    await dns?.close().catch(() => undefined);
    await manager.stop().catch(() => undefined);
    dataplane.close();
    await Promise.allSettled(apps.map((a) => a.close()));
    await core.close();
    throw err;
  }
}

/**
 * The built-in controllers `--controllers` selects, run in process on the watch cache. They take
 * a Lease so that, when several kplane servers share one store, only one set reconciles.
 */
function startControllers(config: ServerConfig, core: Core, podLogs: PodLogWriter): Manager {
  const lookup = kindLookup(core.kinds.all());
  return new Manager({
    controllers: selectedControllers(config, core.backend, podLogs),
    source: (kind) => localSource(core.registry, lookup(kind)),
    client: new LocalClient(core.registry, lookup),
    log: pinoLogger(config.logLevel),
    leaderElection: {
      namespace: 'kube-system',
      name: 'kplane-controller-manager',
      identity: `${hostname()}_${process.pid}`,
    },
  });
}

/** CoreDNS's `kubernetes` plugin, in process: answers from the records the dataplane keeps. */
function startClusterDns(config: ServerConfig, zone: LiveZone): Promise<RunningDnsServer> {
  const log = pinoLogger(config.logLevel);
  return startDnsServer({
    host: config.host,
    port: config.dnsPort,
    zone,
    onError: (err) => log.error('cluster DNS error', { err: String(err) }),
  });
}

function boundPort(app: FastifyInstance): number {
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('server is not listening on a TCP port');
  return addr.port;
}

/** The address clients should dial: a wildcard listen address is reached on loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
