import type { z } from 'zod';
import type { StatusCause } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { PatchMeta } from '../apimachinery/patch.js';
import type { KindOpenApi } from '../openapi/types.js';
import type { MessageDescriptor } from '../protobuf/messages.js';
import type { TableConvertor } from './table.js';
import type { FieldPath } from './unknown-fields.js';

/**
 * What one kind contributes to the generic registry: the kube-apiserver `RESTCreateStrategy` /
 * `RESTUpdateStrategy` pair, reduced to what kplane needs. `registry/store.ts` alone owns the order
 * in which these run (see `rest.BeforeCreate`):
 *
 *   decode with `schema` (shape + defaults) → system metadata → prepareForCreate → validate
 *   (metadata rules + `validate`) → canonicalize → storage.
 *
 * On update: decode → copy system metadata and (main resource) status or (status subresource)
 * everything but status from the stored object → prepareForUpdate → validate + validateUpdate →
 * canonicalize → compare with the stored object (no change = no write).
 *
 * Contract: `validate` and `validateUpdate` never mutate and report every problem they find, each
 * with its field path (`spec.ports[0].port`); `prepareFor*` and `canonicalize` may mutate.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Normalizes a new object before validation (e.g. fills derived fields). */
  prepareForCreate?(obj: T): void;
  /** Normalizes an update before validation; `old` is the stored object and must not be changed. */
  prepareForUpdate?(obj: T, old: T): void;
  /** Semantic checks beyond the schema's shape. */
  validate(obj: T): StatusCause[];
  /** Extra checks on update, typically immutable fields. */
  validateUpdate?(obj: T, old: T): StatusCause[];
  /** Last normalization after validation passed (e.g. sorting). */
  canonicalize?(obj: T): void;
  /**
   * Finalizers besides `metadata.finalizers` that hold the object's deletion (Namespace
   * `spec.finalizers`): while any remain, delete only marks the object, and the update that empties
   * both lists removes it (upstream `ShouldDeleteNamespaceDuringUpdate`).
   */
  pendingFinalizers?(obj: T): readonly string[];
  /** Changes made when a delete only marks the object (Namespace: `status.phase: Terminating`). */
  prepareForDeletion?(obj: T): void;
  /**
   * On a status-subresource update, copies from `incoming` the fields besides status that the
   * status writer owns (Namespace: `spec.finalizers`, standing in for upstream's `/finalize`).
   */
  prepareForStatusUpdate?(obj: T, incoming: T): void;
}

/** Computes the index values of an object (client-go `IndexFunc`). */
export type IndexFunc = (obj: KubeObject) => readonly string[];

/**
 * One served resource: everything kplane knows about a kind — identity (for URLs, discovery and
 * messages), schema, strategy, and how it prints, patches, decodes and documents itself. Each
 * built-in kind defines one in its folder `registry/kinds/<kind>/`, listed once in
 * `registry/kinds/index.ts`; nothing else in the registry, HTTP, OpenAPI, protobuf or SDK layers may
 * branch on the kind. `K` is the kind's name as a literal type, from which the SDK's `KindMap` is
 * inferred.
 */
export interface ResourceType<T extends KubeObject = KubeObject, K extends string = string> {
  group: string;
  version: string;
  kind: K;
  /** Lower-case plural used in URLs: `pods`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Whether a `/status` subresource exists; then the main resource never changes status. */
  hasStatus: boolean;
  /**
   * Shape and defaults: a body whose fields have the wrong JSON type fails here (400 BadRequest).
   * Applies Kubernetes' defaulting (e.g. Service `type: ClusterIP`) like the apiserver's decoder.
   */
  schema: z.ZodType<T>;
  strategy: Strategy<T>;
  /**
   * Name rule: `subdomain` (DNS-1123 subdomain, the default) or `label` (DNS-1123 label; Namespace,
   * Service). `path` only forbids `/`, `%` and `.`/`..` (Event, Lease).
   */
  nameRule?: 'subdomain' | 'label' | 'path';
  /**
   * The kind's field selectors beyond `metadata.name` and `metadata.namespace` (upstream's
   * per-kind `GetAttrs`), e.g. `spec.nodeName`: the supported names and how to read each value.
   */
  fieldSelectors?: { readonly [field: string]: FieldReader<T> };
  /** Whether an update without `metadata.resourceVersion` is allowed (kube-apiserver: true for most kinds). */
  allowUnconditionalUpdate?: boolean;
  /** kubectl's columns for `as=Table` responses; without one, the default Name and Created At columns. */
  table?: TableConvertor<T>;
  /**
   * How strategic merge patch merges this kind's lists (upstream: the Go structs' `patchStrategy` and
   * `patchMergeKey` tags). Required, so that no kind silently gets atomic lists: a kind whose lists
   * are all atomic says so with `metadataOnlyPatchMeta`.
   */
  strategicMerge: PatchMeta;
  /**
   * Strategic merge patch is a 415 for this kind, as for custom resources upstream (no Go struct
   * tags to merge by); JSON patch, merge patch and apply work.
   */
  refusesStrategicMerge?: boolean;
  /**
   * For a kind whose fields `schema` does not list (custom kinds, checked against their CRD's
   * schema): removes the fields the kind does not have from a decoded object and returns their
   * paths, which decoding reports like the unknown fields it finds itself (`fieldValidation`).
   */
  pruneUnknownFields?(obj: T): FieldPath[];
  /** Upstream component names of the kind's nested schemas, and the descriptions `kubectl explain` prints. */
  openapi?: KindOpenApi;
  /** The kind's protobuf message, for request bodies kubectl sends in `application/vnd.kubernetes.protobuf`. */
  protobuf?: MessageDescriptor;
  /**
   * Indexes every informer of this kind gets besides `namespace` (client-go `Indexers`), by name:
   * controllers look objects up by them (`lister.byIndex(name, value)`).
   */
  informerIndexes?: { readonly [name: string]: IndexFunc };
  /**
   * A kind that is not kept in storage but answered by its own routes (PacketTrace is computed per
   * request, NodeDataplane derived from the dataplane): the verbs those routes serve, for discovery
   * and OpenAPI. The registry and the generic routes never serve such a kind.
   */
  custom?: { verbs: readonly string[]; subresources?: readonly { name: string; verbs: readonly string[] }[] };
  /**
   * Subresources that act on the object through one verb (Pod `binding`, Namespace `finalize`): the
   * body's kind and how it changes the stored object. The registry runs `apply` in its update loop,
   * so the write is validated and compare-and-swapped like any update.
   */
  actions?: { readonly [subresource: string]: SubresourceAction<T> };
  /**
   * Subresources that reach the running object instead of storage (Pod `log`, `exec`, `attach`,
   * `portforward`; upstream's log streamer and `rest.Connecter`s). The server answers them through
   * the handler it wires for `<plural>/<subresource>` (src/http/connect-route.ts).
   */
  connect?: { readonly [subresource: string]: ConnectSubresource };
  /**
   * The `scale` subresource (an autoscaling/v1 Scale, registry/scale.ts): where the kind keeps its
   * replica counts. A Scale written through it changes only the desired count, through the normal
   * update path (strategy, validation, optimistic concurrency).
   */
  scale?: ScaleSubresource<T>;
}

/** What a kind's Scale shows: its desired and current replica counts and its pods' label selector. */
export interface ScaleFields {
  /** The desired count; undefined when the object has none. */
  specReplicas?: number;
  statusReplicas: number;
  /** The selector in its string form (`app=web`), if the kind has one. */
  selector?: string;
}

/**
 * Where one kind keeps what its Scale shows. Declared through methods so a `ResourceType<Pod>` is
 * usable where a `ResourceType` is expected (method parameters are bivariant).
 */
export interface ScaleSubresource<T extends KubeObject = KubeObject> {
  /** Where the desired count lives, as messages name it (`.spec.replicas`). */
  specReplicasPath: string;
  /** The object's counts and selector; never throws. */
  read(obj: T): ScaleFields;
  /** Sets the desired count on `obj`, a copy the registry owns. */
  writeReplicas(obj: T, replicas: number): void;
}

/** A subresource answered by a handler outside the registry, as discovery lists it. */
export interface ConnectSubresource {
  /** The response kind discovery reports (`Pod` for log, `PodExecOptions` for exec). */
  kind: string;
  /** The verbs discovery lists: `get` serves GET, `create` serves POST. */
  verbs: readonly ('get' | 'create')[];
  /**
   * Set when kplane cannot do what the subresource does: every request for an existing object gets
   * a 400 BadRequest with this message instead of reaching a handler.
   */
  unsupported?: string;
}

/**
 * A POST-only subresource. Declared through a method so a `ResourceType<Pod>` is usable where a
 * `ResourceType` is expected (method parameters are bivariant).
 */
export interface SubresourceAction<T extends KubeObject = KubeObject> {
  /** The kind of the request body (`Binding`), checked like a body's kind on create. */
  kind: string;
  /** POST (binding) or PUT (finalize); any other method is a 405. */
  method: 'POST' | 'PUT';
  /** What the response carries: a `Success` Status (201, like binding) or the changed object (200). */
  answer: 'success' | 'object';
  /**
   * Which update path the write takes: the main resource's (default) or the status subresource's,
   * for fields the kind lets only its status writer change (Namespace `spec.finalizers`).
   */
  writesAs?: 'status';
  /** The changed object; throws a StatusError (e.g. 409) when the action cannot apply to `current`. */
  apply(current: T, body: Record<string, unknown>): T;
}

/** Whether the registry stores and serves this kind (everything but {@link ResourceType.custom} kinds). */
export function isStored(rt: ResourceType): boolean {
  return rt.custom === undefined;
}

/**
 * Reads one selectable field. Declared through a method so a `ResourceType<Pod>` is usable where a
 * `ResourceType` is expected (method parameters are bivariant, like the Strategy's).
 */
export type FieldReader<T> = { read(obj: T): string }['read'];

/** `apiVersion` as written in objects: `v1` or `networking.k8s.io/v1`. */
export function apiVersionOf(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}
