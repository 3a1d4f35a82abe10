import { errors } from '../apimachinery/errors.js';

/** Query parameters of list and watch requests, checked (malformed values are a 400). */
export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: ContinueToken;
  /** Parsed `resourceVersion`; undefined when absent or empty. */
  resourceVersion?: number;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

/** Where a paged list resumes: the snapshot revision and the last key returned (relative to the resource prefix). */
export interface ContinueToken {
  revision: number;
  startAfter: string;
}

const truthy = new Set(['1', 'true', 'True']);

export function parseListQuery(q: Record<string, unknown>): ListQuery {
  const str = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw errors.badRequest(`${name}: only one value is allowed`);
    return v;
  };
  const rvMatch = str('resourceVersionMatch');
  if (rvMatch !== undefined && rvMatch !== '' && rvMatch !== 'Exact' && rvMatch !== 'NotOlderThan') {
    throw errors.badRequest(
      `resourceVersionMatch: Unsupported value: "${rvMatch}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  const sendInitial = str('sendInitialEvents');
  const cont = str('continue');
  return {
    labelSelector: str('labelSelector'),
    fieldSelector: str('fieldSelector'),
    limit: nonNegativeInt('limit', str('limit')),
    continue: cont ? decodeContinue(cont) : undefined,
    resourceVersion: parseResourceVersion(str('resourceVersion')),
    resourceVersionMatch: rvMatch ? rvMatch : undefined,
    watch: truthy.has(str('watch') ?? ''),
    allowWatchBookmarks: truthy.has(str('allowWatchBookmarks') ?? ''),
    sendInitialEvents: sendInitial === undefined ? undefined : truthy.has(sendInitial),
    timeoutSeconds: nonNegativeInt('timeoutSeconds', str('timeoutSeconds')),
  } as ListQuery;
}

/** A resourceVersion is an opaque string to clients, but ours are decimal revisions; anything else is a 400. */
function parseResourceVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) throw errors.badRequest(`invalid resource version: "${value}"`);
  return Number(value);
}

function nonNegativeInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw errors.badRequest(`${name}: Invalid value: "${value}": must be a non-negative integer`);
  return Number(value);
}

/** Tokens look like kube-apiserver's: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`. */
export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.revision, start: `${token.startAfter}\u0000` }),
  ).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  const invalid = (why: string) => errors.badRequest(`continue key is not valid: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t?.v !== 'meta.k8s.io/v1') throw invalid('server does not recognize this encoding');
  if (typeof t.rv !== 'number' || !Number.isSafeInteger(t.rv) || t.rv <= 0)
    throw invalid('incorrect encoded start resourceVersion');
  if (typeof t.start !== 'string' || !t.start.endsWith('\u0000') || t.start.includes('..') || t.start.startsWith('/')) {
    throw invalid('invalid start key');
  }
  return { revision: t.rv, startAfter: t.start.slice(0, -1) };
}
