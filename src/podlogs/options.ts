import { errors, fieldError, type StatusCause } from '../apimachinery/errors.js';

/** PodLogOptions as `GET pods/<name>/log` takes them in its query (core/v1 PodLogOptions). */
export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  sinceTime?: Date;
}

/**
 * Decodes and validates the query: malformed values are 400s (the query decoder), values out of
 * range a 422 on PodLogOptions with upstream's messages (pkg/apis/core/validation
 * ValidatePodLogOptions).
 */
export function parsePodLogOptions(query: Readonly<Record<string, unknown>>, podName: string): PodLogOptions {
  const opts: PodLogOptions = {
    container: single(query, 'container') || undefined,
    follow: bool(query, 'follow'),
    previous: bool(query, 'previous'),
    timestamps: bool(query, 'timestamps'),
    tailLines: int(query, 'tailLines'),
    limitBytes: int(query, 'limitBytes'),
    sinceSeconds: int(query, 'sinceSeconds'),
    sinceTime: time(query, 'sinceTime'),
  };
  const causes: StatusCause[] = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0)
    causes.push(fieldError.invalid('tailLines', opts.tailLines, 'must be greater than or equal to 0'));
  if (opts.limitBytes !== undefined && opts.limitBytes < 1)
    causes.push(fieldError.invalid('limitBytes', opts.limitBytes, 'must be greater than 0'));
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined)
    causes.push(fieldError.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1)
    causes.push(fieldError.invalid('sinceSeconds', opts.sinceSeconds, 'must be greater than 0'));
  if (causes.length) throw errors.invalid('PodLogOptions', '', podName, causes);
  return opts;
}

function single(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw errors.badRequest(`${name}: only one value is allowed`);
  return value;
}

/** Go's strconv.ParseBool, which the query decoder uses. */
function bool(query: Readonly<Record<string, unknown>>, name: string): boolean {
  const value = single(query, name);
  if (value === undefined || value === '') return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw errors.badRequest(`${name}: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

function int(query: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,15}$/.test(value))
    throw errors.badRequest(`${name}: strconv.ParseInt: parsing "${value}": invalid syntax`);
  return Number(value);
}

function time(query: Readonly<Record<string, unknown>>, name: string): Date | undefined {
  const value = single(query, name);
  if (value === undefined || value === '') return undefined;
  const at = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(at.getTime()))
    throw errors.badRequest(`${name}: parsing time "${value}" as RFC3339: cannot parse`);
  return at;
}
