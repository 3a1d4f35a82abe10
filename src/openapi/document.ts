/**
 * The OpenAPI v3 documents kube-apiserver publishes: one per group-version (`api/v1`,
 * `apis/networking.k8s.io/v1`), each with the paths and component schemas of its kinds, and an
 * index pointing at each by a URL carrying its content hash.
 */
import { createHash } from 'node:crypto';
import { kubernetesVersion } from '../version.js';
import { apiVersionOf, type ResourceType } from '../registry/resource.js';
import { resourcePaths } from './paths.js';
import { sharedDescriptions } from './descriptions.js';
import { namedSchemas } from './names.js';
import { scaleComponents } from './scale.js';
import { addKindComponent, addListComponent, type Components, type ComponentsBuilder } from './schema.js';
import type { TypeDescription } from './types.js';

/** An OpenAPI 3.0 document. */
export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Components };
}

/** A document ready to serve: its JSON text and the hash of that text (upstream: SHA-512, upper-case hex). */
export interface PublishedDocument {
  document: OpenApiV3Document;
  json: string;
  hash: string;
}

/** `/openapi/v3`: the server-relative URL of every group-version document. */
export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** The document path of a group-version: `api/v1` or `apis/networking.k8s.io/v1`. */
export function groupVersionPath(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `apis/${apiVersionOf(rt)}` : `api/${rt.version}`;
}

/** What names and describes the schemas of every document: the served kinds' contributions and the shared ones. */
interface Catalog {
  names: ComponentsBuilder['names'];
  descriptions: Readonly<Record<string, TypeDescription>>;
}

function catalogOf(kinds: readonly ResourceType[]): Catalog {
  const descriptions = Object.assign({}, sharedDescriptions, ...kinds.map((rt) => rt.openapi?.descriptions ?? {}));
  return { names: namedSchemas(kinds), descriptions };
}

/** Builds one document of `resources` (all of one group-version). */
function buildGroupVersionDocument(resources: readonly ResourceType[], catalog: Catalog): OpenApiV3Document {
  const doc: ComponentsBuilder = { components: {}, ...catalog };
  const schemas = doc.components;
  const paths: OpenApiV3Document['paths'] = {};
  for (const rt of resources) {
    const kindRef = addKindComponent(rt, doc);
    const listRef = addListComponent(rt, doc);
    Object.assign(paths, resourcePaths(rt, kindRef, listRef));
    if (rt.scale) Object.assign(schemas, scaleComponents);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: kubernetesVersion.gitVersion },
    paths,
    components: { schemas: sortKeys(schemas) },
  };
}

/** Every group-version document of `resources`, by document path (`api/v1`). */
export function buildV3Documents(resources: readonly ResourceType[]): Map<string, PublishedDocument> {
  const byPath = new Map<string, ResourceType[]>();
  for (const rt of resources) {
    const path = groupVersionPath(rt);
    byPath.set(path, [...(byPath.get(path) ?? []), rt]);
  }
  const catalog = catalogOf(resources);
  const out = new Map<string, PublishedDocument>();
  for (const [path, group] of byPath) out.set(path, publish(buildGroupVersionDocument(group, catalog)));
  return out;
}

/** The index of `documents`: each hashed URL changes exactly when its document does. */
export function buildV3Index(documents: ReadonlyMap<string, PublishedDocument>): OpenApiV3Index {
  const paths: OpenApiV3Index['paths'] = {};
  for (const [path, doc] of documents) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` };
  return { paths };
}

function publish(document: OpenApiV3Document): PublishedDocument {
  const json = JSON.stringify(document);
  return { document, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
