import { randomInt, randomUUID } from 'node:crypto';
import { jsonEqual } from '../apimachinery/equal.js';
import { nowTimestamp, type KubeObject, type ObjectMeta } from '../apimachinery/object.js';

/** Fields that belong to the object's metadata or status; the rest is its "spec" for generation bumps. */
const nonSpecFields = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** Characters of generated name suffixes: no vowels, no look-alikes (apimachinery's rand.String). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxGeneratedNameLength = 63 - 5;

/** `generateName` + 5 random characters, as the apiserver's SimpleNameGenerator does. */
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return base.slice(0, maxGeneratedNameLength) + suffix;
}

/** Sets the fields only the server may set on create (uid, timestamps, generation). */
export function fillCreateMeta(meta: ObjectMeta, nowMs: number): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp(nowMs);
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

/**
 * Copies the server-owned metadata from the stored object onto an update, so that a client can
 * neither change nor drop them (rest.BeforeUpdate): uid, creation and deletion timestamps and the
 * generation, which is bumped when the spec changed.
 */
export function carryUpdateMeta(next: KubeObject, old: KubeObject): void {
  const meta = next.metadata;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  setOrDelete(meta, 'deletionTimestamp', old.metadata.deletionTimestamp);
  setOrDelete(meta, 'deletionGracePeriodSeconds', old.metadata.deletionGracePeriodSeconds);
  delete meta.selfLink;
  const generation = old.metadata.generation ?? 1;
  meta.generation = specChanged(next, old) ? generation + 1 : generation;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!nonSpecFields.has(k) && !jsonEqual(a[k], b[k])) return true;
  return false;
}

function setOrDelete<K extends keyof ObjectMeta>(meta: ObjectMeta, key: K, value: ObjectMeta[K] | undefined): void {
  if (value === undefined) delete meta[key];
  else meta[key] = value;
}

/** A status-subresource write changes only `status` (and labels/annotations): the rest comes from the stored object. */
export function keepAllButStatus(next: KubeObject, old: KubeObject): KubeObject {
  const merged: KubeObject = {
    ...old,
    metadata: { ...old.metadata, labels: next.metadata.labels, annotations: next.metadata.annotations },
  };
  if (next.status === undefined) delete merged.status;
  else merged.status = next.status;
  return merged;
}

/** A main-resource write never changes `status`: it keeps the stored one. */
export function keepStatus(next: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete next.status;
  else next.status = old.status;
}

/** The JSON persisted for an object: everything but the resourceVersion, which storage derives. */
export function encodeForStorage(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}
