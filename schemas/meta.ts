/**
 * Shared zod building blocks for the kind schemas: ObjectMeta, TypeMeta, small shared types, and
 * the conventions every kind schema follows.
 *
 * Conventions:
 * - A schema checks JSON shape (a wrong JSON type fails `safeParse`, which the registry answers
 *   with 400) and applies Kubernetes' decode-time defaulting. Semantic rules live in strategies.
 * - A field Go serializes without `omitempty` (a "required" value such as a container's `name`)
 *   defaults to its zero value, so a missing one reaches validation and becomes a 422 as upstream.
 * - `modeled(...)` objects list every upstream field; `opaque(...)` objects list only what
 *   kplane reads or defaults. Both keep unknown fields. A field walker (fieldValidation=Strict)
 *   descends into `modeled` objects and stops at `opaque` ones (`isOpaque`).
 */
import { z } from 'zod';

type Shape = Record<string, z.ZodType>;

/** Marks `opaque` objects; a zod registry, so schemas derived with `.overwrite()` keep the mark. */
const opaqueRegistry = z.registry<{ opaque: true }>();

/** An object whose listed fields are all of upstream's; unknown fields are kept. */
export function modeled<S extends Shape>(shape: S) {
  return z.looseObject(shape);
}

/** An object kplane does not fully model: only `shape` is checked, everything else is kept as is. */
export function opaque<S extends Shape>(shape: S = {} as S) {
  const schema = z.looseObject(shape);
  opaqueRegistry.add(schema, { opaque: true });
  return schema;
}

/** Whether `schema` was built by `opaque` (its unlisted fields are legitimate). */
export function isOpaque(schema: z.ZodType): boolean {
  return opaqueRegistry.get(schema)?.opaque === true;
}

/**
 * Removes `null` members of objects at any depth. Go's decoder treats `null` as "absent", and
 * clients send it (`creationTimestamp: null` from `kubectl create --dry-run -o yaml`).
 */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

/**
 * A kind's full decoder: nulls dropped, then shape and defaults of `object`. The object schema
 * stays reachable as `.out` for walking known fields.
 */
export function kindSchema<O extends z.ZodType>(object: O) {
  return z.preprocess(dropNulls, object);
}

export const optString = z.string().optional();
export const optInt = z.number().int().optional();
export const optBool = z.boolean().optional();
export const optStrings = z.array(z.string()).optional();
/** A non-`omitempty` Go string: absent decodes to "". */
export const reqString = z.string().default('');
/** A non-`omitempty` Go integer: absent decodes to 0. */
export const reqInt = z.number().int().default(0);
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Re-renders a valid RFC 3339 instant in UTC with `fractionDigits` (0 or 6); anything else is left for validation. */
function canonicalInstant(value: string, fractionDigits: 0 | 6): string {
  if (!rfc3339.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  const seconds = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  if (fractionDigits === 0) return `${seconds}Z`;
  const micros = (value.match(/\.(\d+)/)?.[1] ?? '').padEnd(6, '0').slice(0, 6);
  return `${seconds}.${micros}Z`;
}

/**
 * `metav1.Time`: RFC 3339 at second precision in UTC, as kube-apiserver serializes it, so equal
 * instants compare equal however a client wrote them (client-node sends `.000Z`): a read-then-write
 * round trip stays a no-op.
 */
export const Time = z.string().transform((v) => canonicalInstant(v, 0));

/** `metav1.MicroTime` (Lease renewTime, Event eventTime): microsecond precision in UTC. */
export const MicroTime = z.string().transform((v) => canonicalInstant(v, 6));
export const StringMap = z.record(z.string(), z.string());

/** A string Kubernetes defaults when absent or empty, like a port's `protocol: TCP`. */
export function stringDefault(value: string) {
  return z.preprocess((v) => (v === '' ? undefined : v), z.string().default(value));
}

/** An integer Kubernetes defaults when absent or 0, like a probe's `periodSeconds: 10`. */
export function intDefault(value: number) {
  return z.preprocess((v) => (v === 0 ? undefined : v), z.number().int().default(value));
}

/** An array of `item` that decodes to `[]` when absent. */
export function listDefault<I extends z.ZodType>(item: I) {
  return z.array(item).default(() => []);
}

/** `intstr.IntOrString`: an integer or a string (ports by number or name). */
export const IntOrString = z.union([z.number().int(), z.string()]);
export type IntOrString = z.infer<typeof IntOrString>;

/** `resource.Quantity` syntax: sign, decimal number, then a binary/decimal SI suffix or an exponent. */
const QUANTITY_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;

/** `resource.Quantity`: a JSON number or a string in Kubernetes' quantity syntax (bad syntax is a decode error). */
export const Quantity = z.union([
  z.number(),
  z
    .string()
    .regex(
      QUANTITY_PATTERN,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ),
]);
export type Quantity = z.infer<typeof Quantity>;
export const ResourceList = z.record(z.string(), Quantity);

const quantitySuffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The numeric value of a quantity (`"500m"` → 0.5, `"1Gi"` → 1073741824), for comparisons. */
export function quantityValue(q: Quantity): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY_PATTERN.exec(q);
  if (!m) return NaN;
  const [, num, suffix = ''] = m;
  return /^[eE]/.test(suffix) ? Number(num + suffix) : Number(num) * quantitySuffixes[suffix];
}

/** Fields every object has besides metadata. */
export const typeMeta = { apiVersion: optString, kind: optString };

export const OwnerReferenceSchema = modeled({
  apiVersion: reqString,
  kind: reqString,
  name: reqString,
  uid: reqString,
  controller: optBool,
  blockOwnerDeletion: optBool,
});

export const ManagedFieldsEntrySchema = modeled({
  manager: optString,
  operation: optString,
  apiVersion: optString,
  time: Time.optional(),
  fieldsType: optString,
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
  subresource: optString,
});

export const ObjectMetaSchema = modeled({
  name: optString,
  generateName: optString,
  namespace: optString,
  selfLink: optString,
  uid: optString,
  resourceVersion: optString,
  generation: optInt,
  creationTimestamp: Time.optional(),
  deletionTimestamp: Time.optional(),
  deletionGracePeriodSeconds: optInt,
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  ownerReferences: z.array(OwnerReferenceSchema).optional(),
  finalizers: optStrings,
  managedFields: z.array(ManagedFieldsEntrySchema).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

/** The `metadata` member of a kind: always present after decoding. */
export const metadata = ObjectMetaSchema.prefault({});

export const LabelSelectorRequirementSchema = modeled({ key: reqString, operator: reqString, values: optStrings });
export const LabelSelectorSchema = modeled({
  matchLabels: StringMap.optional(),
  matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
});
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** `metav1.Condition`, the standard condition of newer APIs (Service status). */
export const ConditionSchema = modeled({
  type: reqString,
  status: reqString,
  observedGeneration: optInt,
  lastTransitionTime: Time.optional(),
  reason: reqString,
  message: reqString,
});
export type Condition = z.infer<typeof ConditionSchema>;

/** core/v1 `ObjectReference` (Event's involvedObject, Endpoints' targetRef). */
export const ObjectReferenceSchema = modeled({
  kind: optString,
  namespace: optString,
  name: optString,
  uid: optString,
  apiVersion: optString,
  resourceVersion: optString,
  fieldPath: optString,
});
export type ObjectReference = z.infer<typeof ObjectReferenceSchema>;

/** core/v1 `TypedLocalObjectReference` (an Ingress resource backend). */
export const TypedLocalObjectReferenceSchema = modeled({ apiGroup: optString, kind: reqString, name: reqString });

/** Status of one port of a load balancer (Service and Ingress status). */
export const PortStatusSchema = modeled({ port: reqInt, protocol: reqString, error: optString });
