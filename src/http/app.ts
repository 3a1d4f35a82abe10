import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TokenAuthenticator } from '../auth/tokens.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import { isStored } from '../registry/resource.js';
import type { Registry } from '../registry/store.js';
import { requireBearerToken } from './auth.js';
import { maxBodyBytes, registerBodyParsers } from './body.js';
import { registerErrorHandlers } from './errors.js';
import { bindingRoutes } from './routes/bindings.js';
import { dataplaneRoutes, type DataplaneApi } from './routes/dataplane.js';
import { discoveryRoutes } from './routes/discovery.js';
import { healthRoutes } from './routes/health.js';
import { openapiRoutes } from './routes/openapi.js';
import { resourceRoutes } from './routes/resources.js';
import type { WatchTiming } from './watch-route.js';
import type { ConnectHandlerLookup } from './connect-route.js';

export interface AppDeps {
  registry: Registry;
  /** The served kinds; routes, discovery and OpenAPI follow them as they change. */
  kinds: KindRegistry;
  isReady: () => boolean;
  /** The live dataplane behind network.kplane.io (NodeDataplane, PacketTrace); without it those paths are 404. */
  dataplane?: DataplaneApi;
  /** Bearer-token check; omit for the insecure loopback port and in-process tests. */
  auth?: TokenAuthenticator;
  watchTiming?: WatchTiming;
  /** Handlers of connect subresources (`pods/<name>/log` from the kubelet's log store); without one they are 404s. */
  connect?: ConnectHandlerLookup;
  /** fastify server options (logger, https). */
  server?: FastifyServerOptions & { https?: { key: string; cert: string } };
}

/** Builds the HTTP app without listening, so tests can `inject()` (fastify's Testing guide). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: maxBodyBytes,
    logger: false,
    // kube-apiserver serves `/version/`, `/api/`, `/apis/<g>/<v>/` like the paths without the slash
    // (go-restful trims it; the Python client always sends it). Resource paths under `/api/*` and
    // `/apis/*` ignore empty segments themselves (src/http/path.ts).
    routerOptions: { ignoreTrailingSlash: true },
    ...deps.server,
  } as FastifyServerOptions) as unknown as FastifyInstance;
  await app.register(websocket, { options: { maxPayload: maxBodyBytes, handleProtocols: echoOneProtocol } });
  registerErrorHandlers(app);
  registerBodyParsers(app);
  if (deps.auth) requireBearerToken(app, deps.auth);
  await app.register(healthRoutes, { isReady: deps.isReady });
  await app.register(discoveryRoutes, { kinds: deps.kinds });
  await app.register(openapiRoutes, { kinds: deps.kinds });
  if (deps.dataplane) await app.register(dataplaneRoutes, { api: deps.dataplane });
  await app.register(bindingRoutes, { registry: deps.registry });
  await app.register(resourceRoutes, {
    registry: deps.registry,
    lookup: (g, v, p) => {
      const rt = deps.kinds.byResource(g, v, p);
      return rt && isStored(rt) ? rt : undefined;
    },
    protobufMessage: (apiVersion, kind) => deps.kinds.byType(apiVersion, kind)?.protobuf,
    watchTiming: deps.watchTiming,
    connect: deps.connect,
  });
  return app;
}

/** Echo the first subprotocol that is not the bearer-token carrier (kube-apiserver's websocket handshake). */
function echoOneProtocol(protocols: Set<string>): string | false {
  for (const p of protocols) if (!p.startsWith('base64url.bearer.authorization.k8s.io.')) return p;
  return false;
}
