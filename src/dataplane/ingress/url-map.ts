/**
 * Ingress → GCE URL map translation and request routing (docs/network-model.md#url-map), modelled on
 * ingress-gce's translator. The result is plain JSON: it is stored as a ForwardingRule's
 * `spec.target.urlMap` and read back by the packet tracer.
 *
 * Translation (GCE behaviour):
 * - A path whose backend cannot be translated (Service missing, port missing, Service not
 *   NodePort/LoadBalancer, no nodePort) is dropped and its error recorded; the other paths stay.
 * - Several rules with the same host: the last one replaces the earlier ones (ingress-gce
 *   `PutPathRulesForHost`; likewise for several host-less rules).
 * - The same (pathType, path) twice under one host: the later path wins.
 * - A missing `pathType` is read as ImplementationSpecific (the v1beta1 default, so Ingresses
 *   converted from the talk's extensions/v1beta1 form keep working).
 *
 * Routing precedence (an explicit policy; the API leaves host precedence to the controller):
 * 1. Host: rules whose host equals the request host, then wildcard hosts (`*.foo.com`), then
 *    host-less rules. With the GCE policy (`hostSelection: 'most-specific'`) only the most
 *    specific matching host is searched, as a GCE URL map host rule owns its path matcher; with
 *    `'fallthrough'` the next host kind is searched when no path of the previous one matches.
 * 2. Path, within a host: the longest matching path (see `matchLength`); on equal length
 *    Exact beats Prefix beats ImplementationSpecific; remaining ties go to the smaller path string.
 *    YAML order never matters.
 * 3. No match: `spec.defaultBackend`; none usable: no backend (the caller reports NoIngressRule;
 *    GCE serves its controller default backend, HTTP 404).
 */
import type { Ingress, IngressBackend, HTTPIngressPath } from '../../registry/kinds/ingress/schema.js';
import type { Service, ServicePort } from '../../registry/kinds/service/schema.js';
import { backendServiceName } from '../gce-names.js';
import {
  hostKind,
  hostMatches,
  isPathType,
  matchLength,
  pathMatches,
  urlMapPaths,
  type HostKind,
  type PathType,
} from './match.js';

/** A translated Ingress backend: one Service port, reached through its nodePort. */
export interface UrlMapBackend {
  service: { namespace: string; name: string };
  /** The Ingress' `port.number`, or its `port.name`. */
  servicePort: number | string;
  /** Always set by `buildUrlMap`. */
  nodePort?: number;
  /** `k8s-be-<nodePort>--<uid>`; always set by `buildUrlMap`. */
  backendService?: string;
}

/** One path rule of the URL map; `host` is absent for host-less rules. */
interface UrlMapRule {
  host?: string;
  path: string;
  pathType: PathType;
  backend: UrlMapBackend;
  /** The GCE URL-map paths this rule becomes (e.g. `/foo`, `/foo/*`); always set by `buildUrlMap`. */
  urlMapPaths?: string[];
}

/** A translated Ingress. `rules` are sorted in precedence order; `errors` are event messages. */
export interface UrlMap {
  rules: UrlMapRule[];
  defaultBackend?: UrlMapBackend;
  errors: string[];
}

/** Finds a Service by namespace and name. */
export type ServiceLookup = (namespace: string, name: string) => Service | undefined;

/** Which host groups `routeRequest` searches; see the module comment. */
export interface RoutingPolicy {
  hostSelection: 'most-specific' | 'fallthrough';
}

/** GCE URL-map behaviour: only the most specific matching host is searched. */
const GCE_ROUTING_POLICY: RoutingPolicy = { hostSelection: 'most-specific' };

/** The outcome of routing one request; `reason` explains it in one sentence. */
export interface RouteResult {
  backend?: UrlMapBackend;
  rule?: UrlMapRule;
  reason: string;
}

type Translation = { backend: UrlMapBackend } | { error: string };

const FAILED = 'Translation failed:';

function requestedPort(backend: NonNullable<IngressBackend['service']>): number | string | undefined {
  if (backend.port.number) return backend.port.number;
  return backend.port.name || undefined;
}

function findServicePort(svc: Service, port: number | string): ServicePort | undefined {
  return svc.spec.ports?.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
}

/** ingress-gce `getServicePort`: checks run in its order (Service, port, type), then the nodePort. */
function translateBackend(
  backend: IngressBackend | undefined,
  namespace: string,
  services: ServiceLookup,
  clusterUID: string,
): Translation {
  const ref = backend?.service;
  if (!ref) return { error: `${FAILED} backend has no service (resource backends are not supported by GCE)` };
  const key = `${namespace}/${ref.name}`;
  const svc = services(namespace, ref.name);
  if (!svc) return { error: `${FAILED} could not find service "${key}"` };
  const port = requestedPort(ref);
  if (port === undefined) return { error: `${FAILED} backend of service "${key}" names no port` };
  const svcPort = findServicePort(svc, port);
  if (!svcPort) return { error: `${FAILED} could not find port "${port}" in service "${key}"` };
  if (svc.spec.type !== 'NodePort' && svc.spec.type !== 'LoadBalancer') {
    return { error: `${FAILED} service "${key}" is type "${svc.spec.type}", expected "NodePort" or "LoadBalancer"` };
  }
  if (!svcPort.nodePort) return { error: `${FAILED} port "${port}" of service "${key}" has no nodePort` };
  return {
    backend: {
      service: { namespace, name: ref.name },
      servicePort: port,
      nodePort: svcPort.nodePort,
      backendService: backendServiceName(svcPort.nodePort, clusterUID),
    },
  };
}

function translatePath(
  host: string | undefined,
  p: HTTPIngressPath,
  translate: (b: IngressBackend | undefined) => Translation,
): UrlMapRule | string {
  const pathType = p.pathType ?? 'ImplementationSpecific';
  const path = p.path ?? '';
  if (!isPathType(pathType)) return `${FAILED} path "${path}" has unsupported pathType "${pathType}"`;
  const result = translate(p.backend);
  if ('error' in result) return result.error;
  const rule: UrlMapRule = { path, pathType, backend: result.backend, urlMapPaths: urlMapPaths(pathType, path) };
  return host ? { host, ...rule } : rule;
}

const HOST_KIND_ORDER: Record<HostKind, number> = { exact: 0, wildcard: 1, any: 2 };
const PATH_TYPE_ORDER: Record<PathType, number> = { Exact: 0, Prefix: 1, ImplementationSpecific: 2 };

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Precedence within one host (longest path, then Exact > Prefix > ImplementationSpecific, then path). */
function comparePaths(a: UrlMapRule, b: UrlMapRule): number {
  return (
    matchLength(b.pathType, b.path) - matchLength(a.pathType, a.path) ||
    PATH_TYPE_ORDER[a.pathType] - PATH_TYPE_ORDER[b.pathType] ||
    compareStrings(a.path, b.path)
  );
}

/** Full precedence order: host kind, host, then `comparePaths`. */
function compareRules(a: UrlMapRule, b: UrlMapRule): number {
  return (
    HOST_KIND_ORDER[hostKind(a.host)] - HOST_KIND_ORDER[hostKind(b.host)] ||
    compareStrings(a.host ?? '', b.host ?? '') ||
    comparePaths(a, b)
  );
}

/** Keeps the last rule of each (pathType, path). */
function dedupePaths(rules: UrlMapRule[]): UrlMapRule[] {
  const byKey = new Map<string, UrlMapRule>();
  for (const rule of rules) byKey.set(`${rule.pathType} ${rule.path}`, rule);
  return [...byKey.values()];
}

/**
 * Translates an Ingress into a URL map: every path whose backend is a NodePort/LoadBalancer
 * Service port with a nodePort becomes a rule; failures become `errors` (deduplicated) and drop
 * the path. `clusterUID` names the backend services (`k8s-be-<nodePort>--<uid>`).
 */
export function buildUrlMap(ing: Ingress, services: ServiceLookup, clusterUID: string): UrlMap {
  const namespace = ing.metadata.namespace ?? 'default';
  const translate = (b: IngressBackend | undefined) => translateBackend(b, namespace, services, clusterUID);
  const errors = new Set<string>();
  const rulesByHost = new Map<string, UrlMapRule[]>();
  for (const rule of ing.spec.rules ?? []) {
    if (!rule.http) continue;
    const host = rule.host?.toLowerCase() || undefined;
    const translated = rule.http.paths.map((p) => translatePath(host, p, translate));
    for (const t of translated) if (typeof t === 'string') errors.add(t);
    rulesByHost.set(host ?? '', dedupePaths(translated.filter((t): t is UrlMapRule => typeof t !== 'string')));
  }
  const rules = [...rulesByHost.values()].flat().sort(compareRules);
  const fallback = ing.spec.defaultBackend ? translate(ing.spec.defaultBackend) : undefined;
  if (fallback && 'error' in fallback) errors.add(fallback.error);
  const defaultBackend = fallback && 'backend' in fallback ? { defaultBackend: fallback.backend } : {};
  return { rules, ...defaultBackend, errors: [...errors] };
}

/** The URL path the URL map sees: everything before the first `?` or `#`. */
function pathOnly(path: string): string {
  return path.split(/[?#]/, 1)[0];
}

/** Rules grouped by host, most specific host first, keeping only hosts that admit `host`. */
function matchingHostGroups(rules: UrlMapRule[], host: string): UrlMapRule[][] {
  const groups = new Map<string, UrlMapRule[]>();
  for (const rule of [...rules].sort(compareRules)) {
    if (!hostMatches(rule.host, host)) continue;
    const key = rule.host ?? '';
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return [...groups.values()];
}

function describeHost(ruleHost: string | undefined): string {
  return ruleHost ? `rule host "${ruleHost}"` : 'the host-less rule';
}

function describeBackend(b: UrlMapBackend): string {
  return `service ${b.service.namespace}/${b.service.name} port ${b.servicePort} (backend service ${b.backendService ?? 'unnamed'})`;
}

function noRuleResult(map: UrlMap, why: string): RouteResult {
  if (map.defaultBackend) {
    return {
      backend: map.defaultBackend,
      reason: `${why}, so spec.defaultBackend ${describeBackend(map.defaultBackend)} serves it.`,
    };
  }
  return {
    reason: `${why} and the Ingress has no usable spec.defaultBackend, so the controller default backend answers 404.`,
  };
}

/**
 * Routes a request (Host header `host`, URL `path`, query ignored) through a URL map under
 * `policy` (module comment). Without a matching rule the result is `map.defaultBackend`; with
 * neither, `backend` is undefined and the caller reports NoIngressRule.
 */
export function routeRequest(
  map: UrlMap,
  host: string,
  path: string,
  policy: RoutingPolicy = GCE_ROUTING_POLICY,
): RouteResult {
  const requestPath = pathOnly(path);
  const groups = matchingHostGroups(map.rules, host);
  const searched = policy.hostSelection === 'most-specific' ? groups.slice(0, 1) : groups;
  for (const group of searched) {
    const rule = group.find((r) => pathMatches(r.pathType, r.path, requestPath));
    if (!rule) continue;
    const gcePaths = (rule.urlMapPaths ?? urlMapPaths(rule.pathType, rule.path)).join(', ');
    return {
      backend: rule.backend,
      rule,
      reason: `Host "${host}" selects ${describeHost(rule.host)}, whose ${rule.pathType} path "${rule.path}" (URL map ${gcePaths}) is the best match for "${requestPath}", so ${describeBackend(rule.backend)} serves it.`,
    };
  }
  if (groups.length === 0) return noRuleResult(map, `No rule host admits host "${host}"`);
  const hosts = searched.map((g) => describeHost(g[0].host)).join(' or ');
  return noRuleResult(map, `Host "${host}" selects ${hosts}, but no path there matches "${requestPath}"`);
}
