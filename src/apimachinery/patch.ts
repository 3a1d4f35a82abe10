/**
 * The three PATCH engines kube-apiserver offers: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
 * and Kubernetes strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch). All are pure:
 * they never mutate their inputs, reject prototype-polluting keys, and return fresh plain objects.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { errors, StatusError } from './errors.js';

type JsonObject = { [key: string]: unknown };

/** How one field merges under strategic merge patch. */
export interface FieldPatchMeta {
  /** `merge`: the list merges by `mergeKey` (lists of maps) or as a set (lists of primitives). Absent: atomic. */
  readonly strategy?: 'merge';
  readonly mergeKey?: string;
  /** Metadata of the field's value when it is a map, or of each element when it is a list of maps. */
  readonly meta?: PatchMeta;
}

/**
 * Strategic-merge metadata of one object type: the fields that do not follow the defaults
 * (maps merge recursively, lists are replaced atomically), like upstream's struct tags.
 */
export interface PatchMeta {
  readonly [field: string]: FieldPatchMeta;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownValue(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function assertAllowedKey(key: string): void {
  // Directive keys (`$setElementOrder/<field>`) name a field too; check that name as well.
  const slash = key.startsWith('$') ? key.indexOf('/') : -1;
  if (FORBIDDEN_KEYS.has(key) || (slash >= 0 && FORBIDDEN_KEYS.has(key.slice(slash + 1)))) {
    throw errors.badRequest(`invalid patch: the key ${JSON.stringify(key)} is not allowed`);
  }
}

/** Rejects `__proto__`, `constructor` and `prototype` keys anywhere in a patch document. */
function assertNoPollution(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) assertNoPollution(item);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      assertAllowedKey(key);
      assertNoPollution(value[key]);
    }
  }
}

/** Deep copy of a JSON value into plain objects; an own `__proto__` key stays data, never a prototype. */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const copy = cloneJson(value[key]);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}

/** kube-apiserver's answer to a patch it could not apply: a bare 422 with no causes. */
function unprocessable(): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386)

/**
 * Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes a key, any other value
 * (arrays included) replaces. A non-object patch replaces the whole target. Pollution keys → 400.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  assertNoPollution(patch);
  return mergePatchInto(cloneJson(target), patch);
}

/** `target` is our own copy and is updated in place. */
function mergePatchInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const out = isObject(target) ? target : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete out[key];
    else out[key] = mergePatchInto(ownValue(out, key), value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902)

/** kube-apiserver's cap on operations in one JSON patch (handlers/patch.go). */
const MAX_JSON_PATCH_OPERATIONS = 10000;
const RFC6902_OPS: ReadonlySet<unknown> = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies an RFC 6902 JSON patch. A body that is not an array of operation objects, or that holds a
 * pollution key, is a 400; more than 10000 operations a 413; an operation that cannot be applied
 * (failed `test`, missing path, unknown `op`, …) the 422 kube-apiserver returns.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  const operations = decodeJsonPatch(ops);
  if (operations.some((op) => !RFC6902_OPS.has(op.op))) throw unprocessable();
  try {
    return jsonpatch.applyPatch(cloneJson(target), operations, true, true, true).newDocument;
  } catch {
    throw unprocessable();
  }
}

/** Structural checks upstream does while decoding the body; returns a private copy of the ops. */
function decodeJsonPatch(ops: unknown): Operation[] {
  if (!Array.isArray(ops))
    throw errors.badRequest(`json: cannot unmarshal ${goJsonType(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (!isObject(op))
      throw errors.badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  for (const op of ops as JsonObject[]) {
    assertPointerAllowed(op.path);
    assertPointerAllowed(op.from);
    assertNoPollution(op.value);
  }
  return cloneJson(ops) as Operation[];
}

function assertPointerAllowed(pointer: unknown): void {
  if (typeof pointer !== 'string') return;
  for (const token of pointer.split('/')) assertAllowedKey(token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function goJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER_PREFIX = '$setElementOrder/';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList/';

const badRetainKeys = () => errors.badRequest('invalid patch format of retainKeys');
const badSetOrder = () => errors.badRequest('invalid patch format of setElementOrder list');
const badPrimitiveList = () => errors.badRequest('invalid patch format of primitive list');
const noMergeKey = (item: unknown, key: string) =>
  errors.badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
const badPatchType = (directive: unknown, item: unknown) =>
  errors.badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`);

/**
 * Applies a Kubernetes strategic merge patch to an object, using `schema` (a kind's `strategicMerge`)
 * to know which lists merge and by which key. Supports `$patch: replace|merge|delete` on maps and
 * list elements, `$setElementOrder/<list>`, `$retainKeys` and `$deleteFromPrimitiveList/<list>`;
 * directive keys never reach the result. Malformed patches → 400 (lists of lists → 422).
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, schema: PatchMeta): unknown {
  if (!isObject(target) || !isObject(patch)) throw errors.badRequest('invalid JSON document');
  assertNoPollution(patch);
  return mergeObject(cloneJson(target) as JsonObject, patch, schema);
}

/** Merges `patch` into `original` (our own copy, updated in place) and returns the result. */
function mergeObject(original: JsonObject, patch: JsonObject, meta: PatchMeta | undefined): JsonObject {
  if (!Object.hasOwn(patch, DIRECTIVE)) return mergeFields(original, patch, meta);
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return {};
  if (directive === 'replace') return mergeFields({}, patch, meta);
  // Upstream rejects `$patch: merge` on maps; it is the default behaviour, so accept it.
  if (directive === 'merge') return mergeFields(original, patch, meta);
  throw badPatchType(directive, patch);
}

function mergeFields(target: JsonObject, patch: JsonObject, meta: PatchMeta | undefined): JsonObject {
  applyRetainKeys(target, patch);
  for (const key of Object.keys(patch)) {
    if (key.startsWith(SET_ORDER_PREFIX)) mergeListWithOrder(target, patch, key.slice(SET_ORDER_PREFIX.length), meta);
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (key.startsWith('$')) applyDirectiveKey(target, key, value);
    else if (Object.hasOwn(patch, SET_ORDER_PREFIX + key))
      continue; // merged together with its order
    else if (value === null) delete target[key];
    else target[key] = mergeValue(ownValue(target, key), value, fieldMeta(meta, key));
  }
  return target;
}

function fieldMeta(meta: PatchMeta | undefined, key: string): FieldPatchMeta | undefined {
  return meta !== undefined && Object.hasOwn(meta, key) ? meta[key] : undefined;
}

function applyDirectiveKey(target: JsonObject, key: string, value: unknown): void {
  if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ORDER_PREFIX)) return;
  if (key.startsWith(DELETE_PRIMITIVE_PREFIX))
    return deleteFromPrimitiveList(target, key.slice(DELETE_PRIMITIVE_PREFIX.length), value);
  if (key === '$setElementOrder') throw badSetOrder();
  if (key === '$deleteFromPrimitiveList') throw badPrimitiveList();
  throw errors.badRequest(`unknown patch directive: ${JSON.stringify(key)}`);
}

/** Merges one value; `original` is our own copy or undefined. Patch values are always copied. */
function mergeValue(original: unknown, patch: unknown, field: FieldPatchMeta | undefined): unknown {
  if (isObject(patch)) return mergeObject(isObject(original) ? original : {}, patch, field?.meta);
  if (!Array.isArray(patch)) return patch;
  if (field?.strategy === 'merge') return mergeList(Array.isArray(original) ? original : [], patch, field);
  return patch.map((item) => materialize(item, field?.meta));
}

/** A patch value applied to nothing: directives resolved, nulls dropped, containers copied. */
function materialize(value: unknown, meta: PatchMeta | undefined): unknown {
  if (isObject(value)) return mergeObject({}, value, meta);
  if (Array.isArray(value)) return value.map((item) => materialize(item, undefined));
  return value;
}

/** `$retainKeys`: drop the original's keys not listed; every key the patch sets must be listed. */
function applyRetainKeys(target: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw badRetainKeys();
  for (const key of Object.keys(patch)) {
    if (!key.startsWith('$') && patch[key] !== null && !keep.includes(key)) throw badRetainKeys();
  }
  for (const key of Object.keys(target)) {
    if (!keep.includes(key)) delete target[key];
  }
}

/** `$deleteFromPrimitiveList/<list>`: removes the listed primitives; a missing list stays missing. */
function deleteFromPrimitiveList(target: JsonObject, listKey: string, toDelete: unknown): void {
  if (!Array.isArray(toDelete)) throw badPrimitiveList();
  const current = ownValue(target, listKey);
  if (Array.isArray(current)) target[listKey] = current.filter((item) => !toDelete.includes(item));
}

// --- merging lists -----------------------------------------------------------------------------

/** Position of an element in a list: by merge-key value for lists of maps, by identity otherwise. */
type PositionOf = (item: unknown) => number;

function positionsIn(list: readonly unknown[], mergeKey: string | undefined): PositionOf {
  if (mergeKey === undefined) return (item) => list.indexOf(item);
  return (item) =>
    list.findIndex(
      (other) =>
        isObject(other) && isObject(item) && Object.hasOwn(other, mergeKey) && other[mergeKey] === item[mergeKey],
    );
}

/** Stable sort by position; elements without one keep their relative order at the end. */
function sortByPosition(items: unknown[], position: PositionOf): unknown[] {
  const rank = (item: unknown) => {
    const p = position(item);
    return p < 0 ? Number.POSITIVE_INFINITY : p;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r < b.r ? -1 : 1))
    .map((x) => x.item);
}

/**
 * Upstream `mergeSortedSlice`: interleaves server-only elements with patch elements, taking a server
 * element first only when both sit in the live list and it came earlier there. Patch elements new
 * to the list therefore go first, as with kube-apiserver.
 */
function interleave(serverOnly: unknown[], patchItems: unknown[], positionInLive: PositionOf): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patchItems[j++]);
    else {
      const li = positionInLive(serverOnly[i]);
      const ri = positionInLive(patchItems[j]);
      out.push(li >= 0 && ri >= 0 && li < ri ? serverOnly[i++] : patchItems[j++]);
    }
  }
  return out;
}

/** Orders `merged`: elements found in `order` follow it, the rest keep their live order (upstream `normalizeElementOrder`). */
function enforceOrder(
  merged: unknown[],
  order: readonly unknown[],
  live: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] {
  if (mergeKey !== undefined) {
    for (const item of [...merged, ...order]) {
      if (!isObject(item) || !Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
  const positionInOrder = positionsIn(order, mergeKey);
  const positionInLive = positionsIn(live, mergeKey);
  const patchItems = sortByPosition(
    merged.filter((item) => positionInOrder(item) >= 0),
    positionInOrder,
  );
  const serverOnly = sortByPosition(
    merged.filter((item) => positionInOrder(item) < 0),
    positionInLive,
  );
  return interleave(serverOnly, patchItems, positionInLive);
}

/**
 * The one JSON type all elements of a merging list share (`typeof`, `null` apart), or undefined for
 * two empty lists. Mixed types and nulls are 400s; lists of lists are refused with a 422, as upstream.
 */
function elementKind(...lists: readonly unknown[][]): string | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      if (Array.isArray(item)) throw unprocessable();
      const current = item === null ? 'null' : typeof item;
      if (current === 'null' || (kind !== undefined && kind !== current))
        throw errors.badRequest('list element types are not identical');
      kind = current;
    }
  }
  return kind;
}

/** A list with strategy `merge`: a set of primitives, or maps merged by their merge key. */
function mergeList(original: unknown[], patch: unknown[], field: FieldPatchMeta): unknown[] {
  const kind = elementKind(original, patch);
  if (kind === undefined) return [];
  if (kind !== 'object') return mergePrimitiveList(original, patch);
  if (!field.mergeKey) throw errors.badRequest('cannot merge lists without merge key for type map');
  return mergeMapList(original as JsonObject[], patch as JsonObject[], field.mergeKey, field.meta);
}

function mergePrimitiveList(original: unknown[], patch: unknown[]): unknown[] {
  const merged = [...new Set([...original, ...patch])];
  return enforceOrder(merged, patch, original, undefined);
}

function mergeMapList(
  original: JsonObject[],
  patch: JsonObject[],
  mergeKey: string,
  meta: PatchMeta | undefined,
): unknown[] {
  let live: JsonObject[] = original;
  let items: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!Object.hasOwn(item, DIRECTIVE)) items.push(item);
    else if (item[DIRECTIVE] === 'delete') live = withoutKeyValue(live, item, mergeKey);
    else if (item[DIRECTIVE] === 'replace') replace = true;
    else if (item[DIRECTIVE] === 'merge') throw errors.badRequest('merging lists cannot yet be specified in the patch');
    else throw badPatchType(item[DIRECTIVE], item);
  }
  if (replace) {
    // `{"$patch":"replace"}` in a list: the patch's other elements are the whole new list.
    live = items.map((item) => mergeObject({}, item, meta));
    items = [];
  }
  const merged: JsonObject[] = [...live];
  for (const item of items) {
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex((m) => Object.hasOwn(m, mergeKey) && m[mergeKey] === item[mergeKey]);
    if (at >= 0) merged[at] = mergeObject(merged[at], item, meta);
    else merged.push(mergeObject({}, item, meta));
  }
  return enforceOrder(merged, items, live, mergeKey);
}

/** `{"$patch":"delete", <key>: v}`: removes every element whose merge key equals v. */
function withoutKeyValue(list: JsonObject[], deletion: JsonObject, mergeKey: string): JsonObject[] {
  if (!Object.hasOwn(deletion, mergeKey)) throw noMergeKey(deletion, mergeKey);
  return list.filter((m) => !(Object.hasOwn(m, mergeKey) && m[mergeKey] === deletion[mergeKey]));
}

// --- $setElementOrder --------------------------------------------------------------------------

/**
 * `$setElementOrder/<list>`: merges the list (if the patch has it) and then orders it, giving
 * precedence to the order list, then the live order (upstream `mergePatchIntoOriginal`). Live
 * elements absent from the order list are kept, not deleted.
 */
function mergeListWithOrder(target: JsonObject, patch: JsonObject, listKey: string, meta: PatchMeta | undefined): void {
  const order = patch[SET_ORDER_PREFIX + listKey];
  if (!Array.isArray(order)) throw badSetOrder();
  const hasLive = Object.hasOwn(target, listKey);
  const hasPatch = Object.hasOwn(patch, listKey);
  if (!hasLive && !hasPatch) return;
  const live = hasLive ? target[listKey] : [];
  const patchList = hasPatch ? patch[listKey] : [];
  if (!Array.isArray(live) || !Array.isArray(patchList)) throw badSetOrder();
  const field = fieldMeta(meta, listKey);
  const mergeKey = field?.mergeKey;
  checkPatchFollowsOrder(patchList, order, mergeKey);
  const merged = hasPatch ? (mergeValue(hasLive ? live : undefined, patchList, field) as unknown[]) : [...live];
  target[listKey] = enforceOrder(merged, order, live, mergeKey);
}

/** The patch's elements (deletions aside) must appear in the order list, in the same relative order. */
function checkPatchFollowsOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items =
    mergeKey === undefined ? patchList : patchList.filter((p) => !(isObject(p) && p[DIRECTIVE] === 'delete'));
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isObject(items[p]) && Object.hasOwn(items[p] as JsonObject, DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameElement(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw errors.badRequest(
      `The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match $setElementOrder list:\n${JSON.stringify(order)}\n`,
    );
  }
}

function sameElement(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (mergeKey === undefined) return a === b;
  for (const item of [a, b]) {
    if (!isObject(item) || !Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
  }
  return (a as JsonObject)[mergeKey] === (b as JsonObject)[mergeKey];
}

// ---------------------------------------------------------------------------------------------
// Building blocks of the kinds' merge metadata (each kind declares its own: k8s.io/api struct tags)

/** A list of maps merged by `mergeKey` (`patchStrategy:"merge" patchMergeKey:"<key>"`); `meta` describes its elements. */
export function mergeBy(mergeKey: string, meta?: PatchMeta): FieldPatchMeta {
  return { strategy: 'merge', mergeKey, ...(meta ? { meta } : {}) };
}

/** A list of primitives merged as a set (`finalizers`, `podCIDRs`). */
export const primitiveSet: FieldPatchMeta = { strategy: 'merge' };

/** Lists of conditions and addresses, merged by `type`. */
export const byType: FieldPatchMeta = mergeBy('type');

const objectMeta: PatchMeta = { finalizers: primitiveSet, ownerReferences: mergeBy('uid') };

/**
 * A kind's strategic-merge metadata: ObjectMeta's rules, plus those of the top-level fields given
 * (`{ spec: …, status: … }`). Without fields, every list of the kind but ObjectMeta's is atomic.
 */
export function kindPatchMeta(fields: Readonly<Record<string, PatchMeta>> = {}): PatchMeta {
  const top: Record<string, FieldPatchMeta> = { metadata: { meta: objectMeta } };
  for (const [field, meta] of Object.entries(fields)) top[field] = { meta };
  return top;
}
