/**
 * How kinds print as Tables (`kubectl get` asks for `as=Table`): the column and convertor types and
 * the helpers kube-apiserver's printers share (pkg/printers/internalversion/printers.go). Each kind's
 * own columns sit in its folder (`kinds/<kind>/table.ts`). Like kube-apiserver, every cell is
 * generated, wide ones included: kubectl hides the columns of priority > 0 unless asked for `-o wide`.
 */
import type { KubeObject } from '../apimachinery/object.js';

/** One cell: a JSON scalar; null for a value the object lacks (kubectl prints `<none>`). */
export type TableCell = string | number | boolean | null;

/** `meta.k8s.io/v1` TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0: always shown; above 0: shown by `kubectl get -o wide` only. */
  priority: number;
}

/**
 * How a kind prints as a Table: its columns, and the cells of one object's row. `cells` returns one
 * cell per column, in order, and never mutates `obj` (objects are shared with the watch cache).
 */
export interface TableConvertor<T extends KubeObject = KubeObject> {
  columns: readonly TableColumnDefinition[];
  /** The row of `obj`, ages measured at `nowMs`. */
  cells(obj: T, nowMs: number): TableCell[];
}

/** A column; `wide` ones have priority 1. */
export function column(
  name: string,
  description: string,
  opts: { type?: TableColumnDefinition['type']; format?: string; wide?: boolean } = {},
): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

/** ObjectMeta's own descriptions of `name` and `creationTimestamp`, as upstream's columns carry them. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn = (wide = false) => column('Name', NAME_DESCRIPTION, { format: 'name', wide });
export const ageColumn = column('Age', CREATION_TIMESTAMP_DESCRIPTION);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** `n` and, when not zero, the remainder `rest` of the next smaller unit: `3m2s`, `2d`. */
function withRest(n: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${n}${unit}` : `${n}${unit}${rest}${restUnit}`;
}

/**
 * apimachinery's `duration.HumanDuration`: about two significant figures (`45s`, `3m2s`, `14m`,
 * `5h3m`, `20h`, `2d3h`, `60d`, `2y30d`); slightly negative ages (clock skew) are `0s`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(ms / DAY);
  if (hours < 8 * 24) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.floor(ms / YEAR);
  if (hours < 8 * 365 * 24) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** Upstream `translateTimestampSince`: the age of an RFC 3339 time, `<unknown>` when unset. */
export function timeSince(timestamp: string | undefined, nowMs: number): string {
  const at = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(at) ? '<unknown>' : humanDuration(nowMs - at);
}

export function age(obj: KubeObject, nowMs: number): string {
  return timeSince(obj.metadata.creationTimestamp, nowMs);
}

/** `labels.FormatLabels`: sorted `k=v` pairs, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const pairs = Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels![k]}`);
  return pairs.length ? pairs.join(',') : '<none>';
}

/** `a,b,c + 2 more...`: the first `max` entries, then how many were left out. */
export function joinWithMore(entries: readonly string[], max = 3): string {
  const shown = entries.slice(0, max).join(',');
  return entries.length > max ? `${shown} + ${entries.length - max} more...` : shown;
}

/** `net.JoinHostPort`: IPv6 addresses are bracketed. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Distinct load-balancer ingress points, IP else hostname, sorted (upstream's string set). */
export function loadBalancerPoints(ingress: readonly { ip?: string; hostname?: string }[] | undefined): string {
  const points = new Set((ingress ?? []).map((i) => i.ip || i.hostname || '').filter((p) => p !== ''));
  return [...points].sort().join(',');
}
