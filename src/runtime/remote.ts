import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { StatusError, type Status } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../registry/resource.js';
import type { Client, Kind, KindMap, ObjectKey } from './api.js';
import { ResourceExpiredError, type EventKind, type ListWatchSource } from './informer.js';
import type { KindLookup } from './local.js';

/** How to reach an API server: what a kubeconfig's current context says. */
export interface Connection {
  server: string;
  token?: string;
  caCertPem?: string;
  insecureSkipTLSVerify?: boolean;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: { server: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
  }[];
  users?: { name: string; user: { token?: string } }[];
}

/** Reads the current context of a kubeconfig (server, CA data, bearer token). */
export function connectionFromKubeconfig(path: string): Connection {
  const cfg = loadYaml(readFileSync(path, 'utf8')) as KubeconfigFile;
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context'])?.context;
  const cluster = cfg.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  if (!cluster) throw new Error(`${path}: no cluster for the current context`);
  const user = cfg.users?.find((u) => u.name === ctx?.user)?.user;
  const ca = cluster['certificate-authority-data'];
  return {
    server: cluster.server,
    token: user?.token,
    caCertPem: ca ? Buffer.from(ca, 'base64').toString('utf8') : undefined,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'],
  };
}

/** URL path of a kind's collection or object. */
function resourcePath(rt: ResourceType, namespace?: string, name?: string, sub?: string): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${rt.plural}${name ? `/${encodeURIComponent(name)}` : ''}${sub ? `/${sub}` : ''}`;
}

/** One HTTP request to the API server; non-2xx answers become StatusErrors. */
export async function request(
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<unknown> {
  const res = await open(conn, method, path, body, contentType);
  const text = await readAll(res);
  if ((res.statusCode ?? 500) >= 300) throw statusErrorFrom(res.statusCode ?? 500, text);
  return text ? JSON.parse(text) : undefined;
}

function open(
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  signal?: AbortSignal,
): Promise<http.IncomingMessage> {
  const url = new URL(path, conn.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  if (payload !== undefined) headers['content-type'] = contentType;
  const options: https.RequestOptions = { method, headers, signal };
  if (url.protocol === 'https:') {
    options.ca = conn.caCertPem;
    options.rejectUnauthorized = !conn.insecureSkipTLSVerify;
  }
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, resolve);
    req.on('error', reject);
    req.end(payload);
  });
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

function statusErrorFrom(code: number, text: string): StatusError {
  try {
    const s = JSON.parse(text) as Status;
    if (s.kind === 'Status')
      return new StatusError(s.code ?? code, s.reason ?? 'InternalError', s.message ?? text, s.details);
  } catch {
    // Not a Status body: fall through.
  }
  return new StatusError(code, 'InternalError', text || `HTTP ${code}`);
}

/** An informer source over HTTP: LIST, then `?watch=true` NDJSON from its resourceVersion. */
export function httpSource(conn: Connection, rt: ResourceType): ListWatchSource {
  return {
    async list() {
      const list = (await request(conn, 'GET', resourcePath(rt))) as {
        items: KubeObject[];
        metadata: { resourceVersion: string };
      };
      return { items: list.items, resourceVersion: list.metadata.resourceVersion };
    },
    async watch(resourceVersion, onEvent, signal) {
      const path = `${resourcePath(rt)}?watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
      const res = await open(conn, 'GET', path, undefined, undefined, signal).catch((err) => {
        if (signal.aborted) return undefined;
        throw err;
      });
      if (!res) return;
      if (res.statusCode === 410) throw new ResourceExpiredError(await readAll(res));
      if ((res.statusCode ?? 500) >= 300) throw statusErrorFrom(res.statusCode ?? 500, await readAll(res));
      await readEvents(res, (type, obj) => {
        if (type === 'ERROR') {
          const status = obj as unknown as Status;
          throw status.code === 410
            ? new ResourceExpiredError(status.message ?? 'expired')
            : statusErrorFrom(status.code, JSON.stringify(status));
        }
        onEvent(type, obj);
      }).catch((err) => {
        if (!signal.aborted) throw err;
      });
    },
  };
}

async function readEvents(
  res: http.IncomingMessage,
  onEvent: (type: EventKind | 'ERROR', obj: KubeObject) => void,
): Promise<void> {
  let buf = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as { type: EventKind | 'ERROR'; object: KubeObject };
      onEvent(ev.type, ev.object);
    }
  }
}

/** The controllers' client over HTTP, for reconcilers running outside the server process. */
export class HttpClient implements Client {
  constructor(
    private readonly conn: Connection,
    private readonly lookup: KindLookup,
  ) {}

  async get<K extends Kind>(kind: K, key: ObjectKey): Promise<KindMap[K]> {
    return (await request(this.conn, 'GET', resourcePath(this.lookup(kind), key.namespace, key.name))) as KindMap[K];
  }

  async list<K extends Kind>(
    kind: K,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KindMap[K][]> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
    const list = (await request(this.conn, 'GET', `${resourcePath(this.lookup(kind), opts.namespace)}?${q}`)) as {
      items: KindMap[K][];
    };
    return list.items;
  }

  async create<K extends Kind>(
    kind: K,
    obj: KindMap[K] | Omit<KindMap[K], 'apiVersion' | 'kind'>,
  ): Promise<KindMap[K]> {
    const o = obj as KubeObject;
    return (await request(this.conn, 'POST', resourcePath(this.lookup(kind), o.metadata.namespace), o)) as KindMap[K];
  }

  async update<K extends Kind>(kind: K, obj: KindMap[K]): Promise<KindMap[K]> {
    return (await request(
      this.conn,
      'PUT',
      resourcePath(this.lookup(kind), obj.metadata.namespace, obj.metadata.name),
      obj,
    )) as KindMap[K];
  }

  async updateStatus<K extends Kind>(kind: K, obj: KindMap[K]): Promise<KindMap[K]> {
    return (await request(
      this.conn,
      'PUT',
      resourcePath(this.lookup(kind), obj.metadata.namespace, obj.metadata.name, 'status'),
      obj,
    )) as KindMap[K];
  }

  async patch<K extends Kind>(
    kind: K,
    key: ObjectKey,
    patch: unknown,
    opts: { subresource?: 'status' } = {},
  ): Promise<KindMap[K]> {
    const path = resourcePath(this.lookup(kind), key.namespace, key.name, opts.subresource);
    return (await request(this.conn, 'PATCH', path, patch, 'application/merge-patch+json')) as KindMap[K];
  }

  async delete<K extends Kind>(kind: K, key: ObjectKey): Promise<boolean> {
    try {
      await request(this.conn, 'DELETE', resourcePath(this.lookup(kind), key.namespace, key.name));
      return true;
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return false;
      throw err;
    }
  }
}
