/**
 * `as=Table` responses (what `kubectl get` asks for), as kube-apiserver's handlers/response.go `asTable`
 * shapes them: Accept negotiation, then lists, single objects and watch events turned into
 * `meta.k8s.io` Tables with the kind's columns, each row carrying the object as `includeObject` asks.
 */
import { StatusError, errors } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import {
  CREATION_TIMESTAMP_DESCRIPTION,
  NAME_DESCRIPTION,
  column,
  type TableCell,
  type TableColumnDefinition,
  type TableConvertor,
} from '../registry/table.js';
import { apiVersionOf, type ResourceType } from '../registry/resource.js';
import type { ObjectList } from '../registry/store.js';
import type { WatchOutput } from '../watch/event.js';
import type { WatchTransport } from './watch-route.js';
import { encodeEvent } from './watch-stream.js';

/** The `meta.k8s.io` versions a Table is served in; the response uses the one asked for. */
export type TableVersion = 'v1' | 'v1beta1';

/** What each row carries: PartialObjectMetadata (the default), the full object, or nothing. */
export type IncludeObject = 'Metadata' | 'Object' | 'None';

/** A request's Table options. */
export interface TableRequest {
  version: TableVersion;
  includeObject: IncludeObject;
}

/** One row: the cells in column order and, per `includeObject`, the object it shows. */
interface TableRow {
  cells: TableCell[];
  object?: KubeObject;
}

/** `meta.k8s.io/v1` Table. */
export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: readonly TableColumnDefinition[];
  rows: TableRow[];
}

const TABLE_VERSIONS: readonly string[] = ['v1', 'v1beta1'] satisfies TableVersion[];
const INCLUDE_OBJECT_VALUES: readonly string[] = ['Metadata', 'None', 'Object'] satisfies IncludeObject[];
/** Media ranges that let the server answer JSON. */
const JSON_RANGES = new Set(['application/json', 'application/*', '*/*']);

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseMediaRange(text: string): MediaRange {
  const [type, ...rest] = text.split(';');
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0)
      params.set(
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
  }
  const q = params.has('q') ? Number(params.get('q')) : 1;
  return { type: type.trim().toLowerCase(), params, q: Number.isNaN(q) ? 0 : q };
}

/** The Table version a media range asks for, if it is one this server can answer. */
function tableVersionOf(range: MediaRange): TableVersion | undefined {
  const { params } = range;
  const isTable =
    params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io' && TABLE_VERSIONS.includes(params.get('v') ?? '');
  return isTable && JSON_RANGES.has(range.type) ? (params.get('v') as TableVersion) : undefined;
}

function notAcceptable(): StatusError {
  const accepted = ['application/json', ...TABLE_VERSIONS.map((v) => `application/json;as=Table;v=${v};g=meta.k8s.io`)];
  return new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/**
 * Negotiates the response form from an Accept header: the Table version of the most preferred
 * range that asks for a Table, or undefined when a plain object comes first (or there is no
 * header). Ranges asking for a conversion this server cannot do (`as=PartialObjectMetadataList`,
 * protobuf Tables, unknown Table versions) are skipped; when nothing else is left, 406 NotAcceptable.
 */
export function negotiateTable(accept: string | undefined): TableVersion | undefined {
  if (!accept?.trim()) return undefined;
  const ranges = accept
    .split(',')
    .map(parseMediaRange)
    .filter((r) => r.type !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const range of ranges) {
    if (!range.params.has('as')) return undefined;
    const version = tableVersionOf(range);
    if (version) return version;
  }
  throw notAcceptable();
}

/** The `includeObject` query parameter: absent or empty means `Metadata`; other values are a 400. */
export function parseIncludeObject(value: unknown): IncludeObject {
  if (value === undefined || value === '') return 'Metadata';
  if (typeof value === 'string' && INCLUDE_OBJECT_VALUES.includes(value)) return value as IncludeObject;
  const shown = typeof value === 'string' ? value : String(value);
  const supported = INCLUDE_OBJECT_VALUES.map((v) => JSON.stringify(v)).join(', ');
  throw errors.badRequest(
    `Unable to convert to Table as requested: includeObject: Unsupported value: ${JSON.stringify(shown)}: supported values: ${supported}`,
  );
}

/** The request's Table options, or undefined when it wants plain objects. Throws 406 / 400 as above. */
export function tableRequest(accept: string | undefined, query: Record<string, unknown>): TableRequest | undefined {
  const version = negotiateTable(accept);
  return version ? { version, includeObject: parseIncludeObject(query.includeObject) } : undefined;
}

/** kube-apiserver's default convertor for kinds without columns of their own: Name and Created At (RFC 3339). */
export const defaultTable: TableConvertor = {
  columns: [
    column('Name', NAME_DESCRIPTION, { format: 'name' }),
    column('Created At', CREATION_TIMESTAMP_DESCRIPTION, { type: 'date' }),
  ],
  cells: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? '0001-01-01T00:00:00Z'],
};

function convertorOf(rt: ResourceType): TableConvertor {
  return rt.table ?? defaultTable;
}

/** What a row carries of its object, per `includeObject`. */
function rowObject(rt: ResourceType, obj: KubeObject, req: TableRequest): KubeObject | undefined {
  switch (req.includeObject) {
    case 'None':
      return undefined;
    case 'Object':
      return { apiVersion: apiVersionOf(rt), kind: rt.kind, ...obj };
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${req.version}`, metadata: obj.metadata };
  }
}

function row(rt: ResourceType, obj: KubeObject, req: TableRequest, nowMs: number): TableRow {
  const cells = convertorOf(rt).cells(obj, nowMs);
  const object = rowObject(rt, obj, req);
  return object ? { cells, object } : { cells };
}

function table(
  rt: ResourceType,
  req: TableRequest,
  metadata: Table['metadata'],
  rows: TableRow[],
  noHeaders = false,
): Table {
  const columnDefinitions = noHeaders ? [] : convertorOf(rt).columns;
  return { kind: 'Table', apiVersion: `meta.k8s.io/${req.version}`, metadata, columnDefinitions, rows };
}

/** A list as a Table: one row per item, the list's resourceVersion and continue token kept. */
export function listToTable(rt: ResourceType, list: ObjectList, req: TableRequest, nowMs: number): Table {
  return table(
    rt,
    req,
    { ...list.metadata },
    list.items.map((item) => row(rt, item, req, nowMs)),
  );
}

/**
 * One object as a one-row Table carrying its resourceVersion. `noHeaders` leaves out the column
 * definitions (watch events after the first, as the newer apiserver sends them).
 */
export function objectToTable(
  rt: ResourceType,
  obj: KubeObject,
  req: TableRequest,
  nowMs: number,
  noHeaders = false,
): Table {
  const metadata = obj.metadata.resourceVersion !== undefined ? { resourceVersion: obj.metadata.resourceVersion } : {};
  return table(rt, req, metadata, [row(rt, obj, req, nowMs)], noHeaders);
}

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/**
 * Wraps a watch transport so that each event's object goes out as a one-row Table, the columns
 * sent with the first event only. ERROR (a Status) and BOOKMARK events pass unchanged.
 */
export function tableWatchTransport(
  transport: WatchTransport,
  rt: ResourceType,
  req: TableRequest,
  now: () => number = Date.now,
): WatchTransport {
  let headersSent = false;
  return {
    ...transport,
    encode(out: WatchOutput): string {
      if (!OBJECT_EVENTS.has(out.type)) return encodeEvent(out);
      const object = objectToTable(rt, out.object, req, now(), headersSent);
      headersSent = true;
      return JSON.stringify({ type: out.type, object });
    },
  };
}
