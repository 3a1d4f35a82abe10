/**
 * The LevelDB key layout and record encodings (this comment is their reference):
 * `meta/rev`, `meta/compact`, `log/<rev as 16 hex digits>` (one event per revision, ordered by
 * revision as bytes) and `cur/<key>` (the current value of each live key).
 */
import type { KeyValue, StorageEvent } from './interface.js';

export const REVISION_KEY = 'meta/rev';
export const COMPACT_KEY = 'meta/compact';
const LOG_PREFIX = 'log/';
export const CURRENT_PREFIX = 'cur/';

/** `log/` key of a revision; zero-padded hex so byte order is revision order. */
export function logKey(revision: number): string {
  return LOG_PREFIX + revision.toString(16).padStart(16, '0');
}

export function revisionOfLogKey(logKeyText: string): number {
  return parseInt(logKeyText.slice(LOG_PREFIX.length), 16);
}

export function currentKey(key: string): string {
  return CURRENT_PREFIX + key;
}

export function keyOfCurrentKey(currentKeyText: string): string {
  return currentKeyText.slice(CURRENT_PREFIX.length);
}

/** The smallest string greater than every string starting with `prefix` (exclusive range end). */
export function prefixEnd(prefix: string): string {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xffff) end--;
  if (end === 0) throw new Error('prefix has no successor');
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}

interface CurrentRecord {
  value: string;
  createRevision: number;
  modRevision: number;
}

export function encodeCurrent(kv: KeyValue): string {
  const record: CurrentRecord = { value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision };
  return JSON.stringify(record);
}

export function decodeCurrent(key: string, text: string): KeyValue {
  const record = JSON.parse(text) as CurrentRecord;
  return { key, value: record.value, createRevision: record.createRevision, modRevision: record.modRevision };
}

/**
 * One log entry. The previous value is stored with updates and deletes (like kine's `old_value`
 * column) so replay can rebuild `prevKv` even after the previous entry has been compacted away.
 */
interface LogRecord {
  type: StorageEvent['type'];
  key: string;
  /** The new value; null for a delete. */
  value: string | null;
  createRevision: number;
  prevModRevision?: number;
  prevValue?: string;
}

export function encodeLogRecord(event: StorageEvent): string {
  const { kv, prevKv } = event;
  const record: LogRecord = {
    type: event.type,
    key: kv.key,
    value: event.type === 'delete' ? null : kv.value,
    createRevision: kv.createRevision,
  };
  if (prevKv) {
    record.prevModRevision = prevKv.modRevision;
    record.prevValue = prevKv.value;
  }
  return JSON.stringify(record);
}

export function decodeLogRecord(revision: number, text: string): StorageEvent {
  const record = JSON.parse(text) as LogRecord;
  const { key, createRevision } = record;
  const prevKv: KeyValue | undefined =
    record.prevModRevision === undefined
      ? undefined
      : { key, value: record.prevValue ?? '', createRevision, modRevision: record.prevModRevision };
  // A delete's kv is the last value, stamped with the delete's revision.
  const value = record.value ?? prevKv?.value ?? '';
  const kv: KeyValue = { key, value, createRevision, modRevision: revision };
  return prevKv ? { type: record.type, revision, kv, prevKv } : { type: record.type, revision, kv };
}
