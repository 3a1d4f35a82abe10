/**
 * Ingress host and path matching (docs/network-model.md#url-map; kubernetes.io Ingress "Examples" table and
 * "Hostname wildcards"). ImplementationSpecific follows the GCE controller: a URL-map glob.
 */

/** The three `pathType` values of networking.k8s.io/v1. */
export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** Whether `value` is one of the `PathType` values. */
export function isPathType(value: string): value is PathType {
  return value === 'Exact' || value === 'Prefix' || value === 'ImplementationSpecific';
}

/** How specifically a rule host names a request host; lower sorts first (wins). */
export type HostKind = 'exact' | 'wildcard' | 'any';

/** Classifies a rule host: none/empty = any host, `*.` prefix = wildcard, else exact. */
export function hostKind(ruleHost: string | undefined): HostKind {
  if (!ruleHost) return 'any';
  return ruleHost.startsWith('*.') ? 'wildcard' : 'exact';
}

/**
 * The host part of an HTTP Host header, lower-cased, without a `:port` suffix (an IPv6 literal
 * keeps its brackets), since rule hosts never carry a port.
 */
function normalizeRequestHost(requestHost: string): string {
  const host = requestHost.trim().toLowerCase();
  const bracketEnd = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (colon > bracketEnd && (bracketEnd >= 0 || host.indexOf(':') === colon)) return host.slice(0, colon);
  return host;
}

/**
 * Whether an Ingress rule host admits `requestHost` (a Host header, port allowed): an empty or
 * missing rule host admits every host; `*.foo.com` admits exactly one extra label
 * (`bar.foo.com`, not `foo.com` nor `baz.bar.foo.com`); anything else is a case-insensitive
 * equality.
 */
export function hostMatches(ruleHost: string | undefined, requestHost: string): boolean {
  const host = normalizeRequestHost(requestHost);
  const rule = (ruleHost ?? '').toLowerCase();
  switch (hostKind(rule)) {
    case 'any':
      return true;
    case 'exact':
      return rule === host;
    case 'wildcard': {
      const suffix = rule.slice(1); // ".foo.com"
      const label = host.slice(0, host.length - suffix.length);
      return host.endsWith(suffix) && label.length > 0 && !label.includes('.');
    }
  }
}

/** The non-empty `/`-separated elements of a path; trailing (and doubled) slashes carry no element. */
function pathElements(path: string): string[] {
  return path.split('/').filter((element) => element !== '');
}

function prefixMatches(rulePath: string, requestPath: string): boolean {
  const rule = pathElements(rulePath);
  const request = pathElements(requestPath);
  return rule.every((element, i) => element === request[i]);
}

/** The GCE glob an ImplementationSpecific path stands for; an empty path means everything (`/*`). */
function implementationSpecificGlob(rulePath: string): string {
  return rulePath === '' ? '/*' : rulePath;
}

function globMatches(rulePath: string, requestPath: string): boolean {
  const glob = implementationSpecificGlob(rulePath);
  if (glob.endsWith('/*')) return requestPath.startsWith(glob.slice(0, -1));
  return glob === requestPath;
}

/**
 * Whether a rule path of `pathType` admits `requestPath` (the URL path, without query):
 * - Exact: case-sensitive string equality;
 * - Prefix: element-wise prefix of the `/`-split path, trailing slash ignored on both sides, each
 *   element compared whole (`/foo/bar` does not admit `/foo/barbaz`);
 * - ImplementationSpecific (GCE URL-map glob): `/foo/*` admits `/foo/` and everything below it
 *   (not `/foo`), an empty path admits everything, any other path is an exact match.
 */
export function pathMatches(pathType: PathType, rulePath: string, requestPath: string): boolean {
  switch (pathType) {
    case 'Exact':
      return rulePath === requestPath;
    case 'Prefix':
      return prefixMatches(rulePath, requestPath);
    case 'ImplementationSpecific':
      return globMatches(rulePath, requestPath);
  }
}

/**
 * The length a matching rule path counts for in "longest matching path wins": the literal part
 * of the pattern (a Prefix path without its trailing slash, a glob without its `*`).
 */
export function matchLength(pathType: PathType, rulePath: string): number {
  switch (pathType) {
    case 'Exact':
      return rulePath.length;
    case 'Prefix':
      return rulePath.replace(/\/+$/, '').length;
    case 'ImplementationSpecific': {
      const glob = implementationSpecificGlob(rulePath);
      return glob.endsWith('/*') ? glob.length - 1 : glob.length;
    }
  }
}

/**
 * The paths a rule becomes in the GCE URL map (ingress-gce translator): Exact `/foo` → `/foo`;
 * Prefix `/foo` → `/foo` and `/foo/*` (Prefix `/` → `/*`); ImplementationSpecific → as written
 * (empty → `/*`).
 */
export function urlMapPaths(pathType: PathType, rulePath: string): string[] {
  switch (pathType) {
    case 'Exact':
      return [rulePath];
    case 'Prefix': {
      const base = rulePath.replace(/\/+$/, '');
      return base === '' ? ['/*'] : [base, `${base}/*`];
    }
    case 'ImplementationSpecific':
      return [implementationSpecificGlob(rulePath)];
  }
}
