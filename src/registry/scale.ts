/**
 * The `scale` subresource: an object seen as an autoscaling/v1 Scale, and a Scale written back as
 * the one field it may change, the desired replica count (upstream: ScaleREST of
 * staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/etcd.go, and of the apps
 * kinds). The registry runs these inside its update loop (`Registry.updateScale`/`patchScale`).
 */
import { z } from 'zod';
import { errors } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { kindPatchMeta } from '../apimachinery/patch.js';
import { metadata, modeled, optString, typeMeta } from '../../schemas/meta.js';
import { decodeBody, type DecodedKind, type DecodeOptions } from './decode.js';
import type { ResourceType, ScaleFields, ScaleSubresource } from './resource.js';

const MIN_INT32 = -(2 ** 31);
const int32 = z
  .number()
  .int()
  .min(MIN_INT32)
  .max(2 ** 31 - 1);

const ScaleSchema = modeled({
  ...typeMeta,
  metadata,
  spec: modeled({ replicas: int32.optional() }).prefault({}),
  status: modeled({ replicas: int32.default(0), selector: optString }).prefault({}),
});

/** An autoscaling/v1 Scale. */
export type Scale = z.infer<typeof ScaleSchema>;

/** The Scale kind as request bodies are decoded against it. */
const scaleKind: DecodedKind<Scale> = { group: 'autoscaling', version: 'v1', kind: 'Scale', schema: ScaleSchema };

/** Scale has no lists of its own: strategic merge patch merges it like a merge patch (and metadata as usual). */
export const scalePatchMeta = kindPatchMeta();

/** The kind's scale subresource; a 404 for a kind that has none. */
export function scaleSubresourceOf<T extends KubeObject>(rt: ResourceType<T>): ScaleSubresource<T> {
  if (!rt.scale) throw errors.pathNotFound();
  return rt.scale;
}

/** The Scale of `obj`: its identity, and the counts and selector `fields` read from it. */
export function toScale(obj: KubeObject, fields: ScaleFields): Scale {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, ...(namespace ? { namespace } : {}), uid, resourceVersion, creationTimestamp },
    // Go omits a zero `spec.replicas` (omitempty), never `status.replicas`.
    spec: fields.specReplicas ? { replicas: fields.specReplicas } : {},
    status: { replicas: fields.statusReplicas, ...(fields.selector ? { selector: fields.selector } : {}) },
  };
}

/**
 * The Scale a write starts from. An object without a desired count shows the smallest int32, so
 * that a patch leaving it unset is told apart from one setting 0 (upstream's `invalidSpecReplicas`).
 */
export function currentScale<T extends KubeObject>(scale: ScaleSubresource<T>, obj: T): Scale {
  const fields = scale.read(obj);
  const shown = toScale(obj, fields);
  if (fields.specReplicas === undefined) shown.spec.replicas = MIN_INT32;
  return shown;
}

/** A Scale request body (or patched Scale), decoded like any body: 400 on a wrong kind or shape. */
export function decodeScale(body: unknown, opts: DecodeOptions): Scale {
  return decodeBody(scaleKind, body, opts);
}

/**
 * The object `requested` makes of `current`: a copy whose desired count is the Scale's. A Scale
 * naming another object is a 400, one with an older resourceVersion a 409.
 */
export function scaledObject<T extends KubeObject>(rt: ResourceType<T>, current: T, requested: Scale, name: string): T {
  const scale = scaleSubresourceOf(rt);
  if (requested.metadata.name !== name) throw errors.nameMismatch(requested.metadata.name, name);
  const wantedRV = requested.metadata.resourceVersion;
  if (wantedRV && wantedRV !== current.metadata.resourceVersion) throw errors.conflict(rt, name);
  const replicas = requested.spec.replicas ?? 0;
  if (replicas === MIN_INT32)
    throw errors.badRequest(`the spec replicas field ${JSON.stringify(scale.specReplicasPath)} cannot be empty`);
  const next = structuredClone(current);
  scale.writeReplicas(next, replicas);
  // The count is not decoded from a body: a kind whose schema lacks its path drops it, as on read upstream.
  rt.pruneUnknownFields?.(next);
  return next;
}
